import Foundation
import Logging
import PostgresNIO

/// A small pool of PostgreSQL connections with a blocking API, for code that runs on ordinary
/// threads (the service's request workers, Dispatch queues, the CLI).
///
/// Why blocking, and why it cannot deadlock: every call uses PostgresNIO's `EventLoopFuture`
/// API and waits on the future from the calling thread, while the I/O runs on the pool's own
/// event-loop thread(s), which never block. No Swift concurrency is involved, so a call neither
/// needs nor occupies a cooperative-pool thread: it works the same from a Dispatch worker, a
/// `Thread`, or (though it then blocks that thread while it waits) a task. The one forbidden
/// caller is the pool's own event loop, which would wait on itself: that call is refused with
/// `PostgresStoreError.calledFromEventLoop` instead of hanging.
///
/// Every wait is bounded: for a free connection by `acquireTimeout`, for a statement by
/// `statementTimeout` (the server enforces the same `statement_timeout`; if the answer still
/// does not come, e.g. the network is gone, the connection is closed and the call fails).
public final class BlockingPostgresPool: @unchecked Sendable {
    public let url: PostgresURL
    public let limits: PostgresPoolLimits
    let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    /// Statements each new connection runs first (session settings such as HNSW's ef_search).
    private let sessionSetup: [String]

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var isClosed = false
    private var nextConnectionID = 0

    public init(url: PostgresURL, limits: PostgresPoolLimits = PostgresPoolLimits(), sessionSetup: [String] = [],
                logger: Logger = Logger(label: "adaptclip.postgres")) {
        self.url = url
        self.limits = limits
        self.sessionSetup = sessionSetup
        self.logger = logger
        // One thread carries all the pool's sockets: the work is the server's, the client only
        // encodes and decodes messages.
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    deinit {
        if !isClosed { try? group.syncShutdownGracefully() }
    }

    /// Runs `body` with a connection of its own; the connection returns to the pool after, or is
    /// dropped when it broke (a later call opens a new one).
    public func withConnection<T>(_ body: (BlockingPostgresConnection) throws -> T) throws -> T {
        let connection = try acquire()
        let blocking = BlockingPostgresConnection(connection: connection, timeout: clientTimeout, logger: logger)
        do {
            let value = try body(blocking)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws).
    public func transaction<T>(_ body: (BlockingPostgresConnection) throws -> T) throws -> T {
        try withConnection { try $0.transaction { try body($0) } }
    }

    /// Closes every connection; later calls fail with `PostgresStoreError.closed`.
    public func close() {
        let connections: [PostgresConnection] = condition.withLock {
            guard !isClosed else { return [] }
            isClosed = true
            defer { idle = [] }
            condition.broadcast()
            return idle
        }
        for connection in connections { try? connection.close().wait() }
        try? group.syncShutdownGracefully()
    }

    /// The client's own bound on a statement: the server's `statement_timeout` plus a grace, so
    /// that normally the server's cancellation (a precise error) arrives first.
    private var clientTimeout: Duration { limits.statementTimeout + .seconds(5) }

    private func acquire() throws -> PostgresConnection {
        if group.next().inEventLoop { throw PostgresStoreError.calledFromEventLoop }
        let deadline = Date().addingTimeInterval(limits.acquireTimeout.seconds)
        let reserved: (PostgresConnection?, Int)? = try condition.withLock {
            while true {
                if isClosed { throw PostgresStoreError.closed }
                while let connection = idle.popLast() {
                    if !connection.isClosed { return (connection, 0) }
                    opened -= 1
                }
                if opened < limits.maxConnections {
                    opened += 1
                    nextConnectionID += 1
                    return (nil, nextConnectionID)
                }
                if !condition.wait(until: deadline) { return nil }
            }
        }
        guard let (existing, id) = reserved else {
            throw PostgresStoreError.poolExhausted(connections: limits.maxConnections, waitedSeconds: limits.acquireTimeout.seconds)
        }
        if let existing { return existing }
        do {
            return try connect(id: id)
        } catch {
            condition.withLock {
                opened -= 1
                condition.signal()
            }
            throw error
        }
    }

    private func connect(id: Int) throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: group.next(), configuration: url.configuration, id: id, logger: logger).wait()
        } catch {
            throw PostgresStoreError.connectFailed(url: url.description, reason: PostgresErrorText.describe(error))
        }
        let blocking = BlockingPostgresConnection(connection: connection, timeout: clientTimeout, logger: logger)
        do {
            // The server stops a runaway statement by itself; the client's own bound is the backstop.
            let milliseconds = Int(limits.statementTimeout.seconds * 1000)
            try blocking.execute("SET statement_timeout = \(milliseconds)")
            for statement in sessionSetup { try blocking.execute(statement) }
        } catch {
            try? connection.close().wait()
            throw error
        }
        return connection
    }

    private func release(_ connection: PostgresConnection) {
        condition.withLock {
            if connection.isClosed || isClosed {
                opened -= 1
                if isClosed { try? connection.close().wait() }
            } else {
                idle.append(connection)
            }
            condition.signal()
        }
    }
}

/// One checked-out connection: statements run and are waited for on the calling thread.
public struct BlockingPostgresConnection {
    let connection: PostgresConnection
    let timeout: Duration
    let logger: Logger

    /// Runs `query` and collects its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        try waitResult(connection.query(query, logger: logger)).rows
    }

    /// Runs one statement without parameters (DDL, SET, BEGIN …).
    public func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// `body` inside BEGIN … COMMIT; ROLLBACK when it throws (a connection whose ROLLBACK failed
    /// is closed, so the pool never hands out one stuck in a failed transaction).
    public func transaction<T>(_ body: (BlockingPostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            do { try execute("ROLLBACK") } catch { closeNow() }
            throw error
        }
    }

    /// Waits for `future` at most `timeout`; past it the connection is closed (failing the
    /// future) and the call throws.
    /// Closes the connection without waiting (the pool drops it when it comes back).
    func closeNow() {
        let _: EventLoopFuture<Void> = connection.close()
    }

    func waitResult<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        if future.eventLoop.inEventLoop { throw PostgresStoreError.calledFromEventLoop }
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        let nanoseconds = Int(min(timeout.seconds * 1e9, Double(Int.max / 2)))
        if done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
            closeNow()
            throw PostgresStoreError.timedOut(seconds: timeout.seconds)
        }
        return try future.wait()
    }
}

extension BlockingPostgresConnection {
    /// Runs a statement and returns how many rows it affected.
    @discardableResult
    public func run(_ query: PostgresQuery) throws -> Int {
        if connection.eventLoop.inEventLoop { throw PostgresStoreError.calledFromEventLoop }
        return try waitResult(connection.query(query, logger: logger)).metadata.rows ?? 0
    }
}
