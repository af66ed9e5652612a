import Foundation

/// The `adaptclip` executable SwiftPM built next to this test binary (`swift test` builds every
/// product of the package, so it is there whenever these tests run).
public func builtAdaptCLIP() throws -> URL {
    let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let candidate = directory.appendingPathComponent("adaptclip")
    guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
        throw ChildProcessError("no adaptclip executable in \(directory.path); run `swift build` first")
    }
    return candidate
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the built `adaptclip` with `arguments` (and `environment` over this process's) to its
/// end; returns its exit status and output.
public func runAdaptCLIP(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try builtAdaptCLIP()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}
