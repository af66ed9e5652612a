import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress of an ingest: a redrawn bar on a terminal (count, rate, ETA), plain lines every
/// `interval` seconds otherwise (logs and CI should not fill with carriage returns).
public final class IngestProgress: @unchecked Sendable {
    private let output: FileHandle
    private let isTerminal: Bool
    private let interval: TimeInterval
    private let start = Date()
    private var lastLine = Date.distantPast
    private var total = 0

    public init(output: FileHandle = .standardError, interval: TimeInterval = 5) {
        self.output = output
        isTerminal = isatty(output.fileDescriptor) == 1
        self.interval = interval
    }

    public func begin(total: Int) { self.total = total }

    /// `done` files processed so far (stored, duplicate or skipped).
    public func update(done: Int, stored: Int) {
        let now = Date()
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTerminal {
            let width = 30
            let filled = total > 0 ? min(width, width * done / total) : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r[\(bar)] \(done)/\(total) \(String(format: "%.1f", rate)) files/s ETA \(Self.clock(eta))  ")
        } else if now.timeIntervalSince(lastLine) >= interval || done == total {
            lastLine = now
            write("ingest: \(done)/\(total) files, \(stored) stored, \(String(format: "%.1f", rate)) files/s, ETA \(Self.clock(eta))\n")
        }
    }

    public func finish() { if isTerminal { write("\n") } }

    private func write(_ text: String) { output.write(Data(text.utf8)) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3_600 ? String(format: "%d:%02d:%02d", s / 3_600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
