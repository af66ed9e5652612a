import Digests
import Foundation

/// One numbered schema change, read from `Migrations/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Hash of the SQL text: an applied migration whose file later changed is refused.
    public let sha256: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        sha256 = SHA256.hex(Data(sql.utf8))
    }

    /// "0001_initial" for version 1, name "initial".
    public var fileName: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name
    }
}

/// Why the schema could not be brought up to date.
public enum MigrationError: Error, CustomStringConvertible, Sendable {
    case catalogNotFound(searched: [String])
    case badFileName(String)
    case duplicateVersion(Int)
    case gap(expected: Int, found: Int)
    case databaseNewerThanCode(database: Int, code: Int)
    case editedAfterApplied(version: Int, name: String)
    case failed(version: Int, name: String, underlying: SQLiteError)

    public var description: String {
        switch self {
        case .catalogNotFound(let searched):
            "migrations folder not found; looked in: \(searched.joined(separator: ", ")) (install the AdaptCLIP_*.resources folders next to the adaptclip binary)"
        case .badFileName(let name): "migration file '\(name)' is not named NNNN_name.sql"
        case .duplicateVersion(let v): "two migrations have version \(v)"
        case .gap(let expected, let found): "migrations must be numbered without gaps: expected \(expected), found \(found)"
        case .databaseNewerThanCode(let db, let code):
            "the database is at schema version \(db) but this build knows only up to \(code); refusing to open it (upgrade adaptclip)"
        case .editedAfterApplied(let v, let name): "migration \(v) (\(name)) was changed after it was applied to this database"
        case .failed(let v, let name, let underlying): "migration \(v) (\(name)) failed and was rolled back: \(underlying)"
        }
    }
}
