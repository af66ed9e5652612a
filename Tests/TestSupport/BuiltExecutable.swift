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
