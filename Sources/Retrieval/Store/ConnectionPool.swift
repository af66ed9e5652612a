import Foundation
import Synchronization

/// Read-only connections handed to one thread at a time. WAL lets them read while the writer
/// commits, so concurrent searches do not queue behind ingestion or behind each other.
final class ConnectionPool: @unchecked Sendable {
    private let path: String
    private let idle = Mutex(())
    private var free: [SQLiteConnection] = []
    private let maxIdle: Int

    init(path: String, maxIdle: Int = 8) {
        self.path = path
        self.maxIdle = maxIdle
    }

    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { _ in free.popLast() } ?? SQLiteConnection(path: path, options: .init(readOnly: true))
        defer { idle.withLock { _ in if free.count < maxIdle { free.append(connection) } } }
        return try body(connection)
    }
}
