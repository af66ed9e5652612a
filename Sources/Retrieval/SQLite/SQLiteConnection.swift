import CSQLite
import Foundation

/// One SQLite connection configured for this service: WAL journal (readers never block the
/// writer), foreign keys on, a busy timeout, synchronous=FULL (a commit is on disk before it is
/// acknowledged, which is what "acknowledged writes survive kill -9 and power loss" needs), and a
/// cache of prepared statements keyed by their SQL text.
///
/// Not thread-safe by itself: callers serialise access (`ImageStore` holds one writer connection
/// under its write lock and a pool of reader connections).
public final class SQLiteConnection {
    let handle: OpaquePointer
    public let path: String
    private var statements: [String: SQLiteStatement] = [:]

    public struct Options: Sendable {
        public var readOnly = false
        public var busyTimeoutMilliseconds: Int32 = 5_000
        public init(readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000) {
            self.readOnly = readOnly
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        }
    }

    public init(path: String, options: Options = Options()) throws {
        var out: OpaquePointer?
        // NOMUTEX: this wrapper serialises access itself; SQLite's per-connection mutex would be redundant.
        let flags = (options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &out, flags, nil)
        guard code == SQLITE_OK, let out else {
            let error = SQLiteError(connection: out, code: code, sql: nil)
            sqlite3_close_v2(out)
            throw SQLiteError(code: error.code, extendedCode: error.extendedCode, message: "\(error.message) (opening \(path))", sql: nil)
        }
        handle = out
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, options.busyTimeoutMilliseconds)
        do {
            if !options.readOnly {
                let mode = try query("PRAGMA journal_mode = WAL").first?[0].text
                guard mode?.lowercased() == "wal" else {
                    throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "nil"), WAL was requested", sql: "PRAGMA journal_mode = WAL")
                }
            }
            try execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")
        } catch {
            statements.removeAll()
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without bindings or results (schema scripts, pragmas).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: code & 0xFF, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs a cached prepared statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try statement(sql).query(bindings)
    }

    /// Runs a cached prepared statement that returns no rows (or ignores them).
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws {
        _ = try statement(sql).query(bindings)
    }

    /// The first column of the first row, or `.null`.
    public func scalar(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> SQLiteValue {
        try query(sql, bindings).first?[0] ?? .null
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT (rolled back when it throws). IMMEDIATE takes
    /// the write lock up front, so a busy database shows as a timeout at BEGIN, not mid-transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var changes: Int { Int(sqlite3_changes64(handle)) }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Number of prepared statements held (tests check reuse).
    public var cachedStatementCount: Int { statements.count }

    private func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = prepared
        return prepared
    }
}
