import Foundation

/// Brings a database to the catalog's latest version: each pending migration runs in its own
/// transaction together with its row in `schema_migrations`, so a crash leaves either all of a
/// migration or none of it. A database whose version is above the catalog's is refused.
public struct Migrator: Sendable {
    public let catalog: MigrationCatalog

    public init(catalog: MigrationCatalog) { self.catalog = catalog }

    /// What `migrate` did.
    public struct Outcome: Sendable, Equatable {
        public let previousVersion: Int
        public let currentVersion: Int
        public let applied: [String]
    }

    /// The highest applied version (0 for a new database).
    public static func currentVersion(of db: SQLiteConnection) throws -> Int {
        try createTable(db)
        return Int(try db.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").integer ?? 0)
    }

    @discardableResult
    public func migrate(_ db: SQLiteConnection) throws -> Outcome {
        let previous = try Self.currentVersion(of: db)
        guard previous <= catalog.latestVersion else {
            throw MigrationError.databaseNewerThanCode(database: previous, code: catalog.latestVersion)
        }
        let recorded = try db.query("SELECT version, sha256 FROM schema_migrations ORDER BY version")
        for row in recorded {
            let version = Int(row[0].integer ?? 0)
            if let known = catalog.migrations.first(where: { $0.version == version }), known.sha256 != row[1].text {
                throw MigrationError.editedAfterApplied(version: version, name: known.name)
            }
        }
        var applied: [String] = []
        for migration in catalog.migrations where migration.version > previous {
            do {
                try db.transaction {
                    try db.execute(migration.sql)
                    try db.run("INSERT INTO schema_migrations (version, name, sha256) VALUES (?, ?, ?)",
                               [.integer(Int64(migration.version)), .text(migration.name), .text(migration.sha256)])
                }
            } catch let error as SQLiteError {
                throw MigrationError.failed(version: migration.version, name: migration.name, underlying: error)
            }
            applied.append(migration.fileName)
        }
        return Outcome(previousVersion: previous, currentVersion: try Self.currentVersion(of: db), applied: applied)
    }

    private static func createTable(_ db: SQLiteConnection) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                sha256     TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """)
    }
}
