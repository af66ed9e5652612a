import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose stdout lines are collected by a reader thread as they arrive.
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    /// Guards the collected output; the stdout reader broadcasts on it as lines arrive.
    private let lock = NSCondition()
    private var lines: [String] = []
    private var stdoutEnded = false
    private var partial = Data()
    private var errorText = Data()
    private let finished = DispatchGroup()

    init(executable: URL, arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading
        let err = stderr.fileHandleForReading
        finished.enter()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = out.availableData
                if chunk.isEmpty { break }
                lock.lock()
                partial.append(chunk)
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                    partial = Data(partial[(newline + 1)...])
                }
                lock.broadcast()
                lock.unlock()
            }
            lock.lock()
            stdoutEnded = true
            lock.broadcast()
            lock.unlock()
            finished.leave()
        }
        finished.enter()
        Thread.detachNewThread { [self] in
            let data = err.readDataToEndOfFile()
            lock.lock()
            errorText = data
            lock.unlock()
            finished.leave()
        }
    }

    /// Complete stdout lines received so far.
    var receivedLines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Blocks until a stdout line satisfies `matches`, stdout ends, or `timeout` seconds pass,
    /// waking as lines arrive (no polling); returns whether a line matched.
    func waitForLine(timeout: Double, where matches: (String) -> Bool) -> Bool {
        let giveUp = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        var checked = 0
        while true {
            if lines[checked...].contains(where: matches) { return true }
            checked = lines.count
            if stdoutEnded || !lock.wait(until: giveUp) { return false }
        }
    }

    var standardErrorText: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errorText, as: UTF8.self)
    }

    func kill() { _ = Glibc.kill(process.processIdentifier, SIGKILL) }

    /// Waits for exit and for both pipes to drain; returns the termination status.
    func wait() -> Int32 {
        process.waitUntilExit()
        finished.wait()
        return process.terminationStatus
    }

    var wasKilled: Bool { process.terminationReason == .uncaughtSignal }
}
