import CSQLite
import Foundation

/// SQLITE_TRANSIENT: SQLite copies bound text/blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Owned and cached by its `SQLiteConnection`; reset after every use.
final class SQLiteStatement {
    let sql: String
    private let handle: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws {
        var out: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &out, nil)
        guard code == SQLITE_OK, let out else {
            sqlite3_finalize(out)
            throw SQLiteError(connection: connection.handle, code: code, sql: sql)
        }
        self.sql = sql
        self.connection = connection
        handle = out
    }

    deinit { sqlite3_finalize(handle) }

    /// Runs the statement with `bindings` (positional, 1-based in SQL as `?`) and collects all rows.
    func query(_ bindings: [SQLiteValue]) throws -> [SQLiteRow] {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try bind(bindings)
        let count = sqlite3_column_count(handle)
        let names = (0..<count).map { String(cString: sqlite3_column_name(handle, $0)) }
        var rows: [SQLiteRow] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw SQLiteError(connection: connection.handle, code: code, sql: sql) }
            rows.append(SQLiteRow(columns: names, values: (0..<count).map(column)))
        }
        return rows
    }

    private func bind(_ bindings: [SQLiteValue]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == bindings.count else {
            throw SQLiteError(code: SQLITE_RANGE, message: "statement takes \(expected) parameters, got \(bindings.count)", sql: sql)
        }
        for (offset, value) in bindings.enumerated() {
            let i = Int32(offset + 1)
            let code: Int32 = switch value {
            case .null: sqlite3_bind_null(handle, i)
            case .integer(let v): sqlite3_bind_int64(handle, i, v)
            case .real(let v): sqlite3_bind_double(handle, i, v)
            case .text(let v): sqlite3_bind_text(handle, i, v, -1, transient)
            case .blob(let v): v.withUnsafeBytes { sqlite3_bind_blob64(handle, i, $0.baseAddress, UInt64($0.count), transient) }
            }
            guard code == SQLITE_OK else { throw SQLiteError(connection: connection.handle, code: code, sql: sql) }
        }
    }

    private func column(_ i: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, i)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard count > 0, let bytes = sqlite3_column_blob(handle, i) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }
}
