import Foundation
import PostgresNIO
import Retrieval

/// Brings a PostgreSQL database to the latest of the numbered migrations in
/// `migrations/postgres/` (shipped as this target's resource folder), with the embedded store's
/// rules: numbered without gaps, append-only (an applied file that changed is refused by its
/// SHA-256), a database newer than the code is refused, each migration in its own transaction
/// with its `schema_migrations` row.
///
/// Replicas start at once: the whole run holds a session advisory lock, so the second waits
/// until the first is done and then finds nothing to do. The lock goes with the session, so a
/// replica killed mid-migration releases it (and its transaction rolls back).
public struct PostgresMigrator: Sendable {
    public let catalog: MigrationCatalog

    /// The advisory-lock key every AdaptCLIP process takes to migrate ("adaptclip" in ASCII).
    public static let advisoryLockKey: Int64 = 0x61_64_61_70_74_63_6C_69

    public init(catalog: MigrationCatalog) { self.catalog = catalog }

    /// The migrations shipped with this build.
    public static func bundledCatalog() throws -> MigrationCatalog {
        try MigrationCatalog.bundled(
            bundleName: "AdaptCLIP_PostgresStore.resources",
            sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Migrations"))
    }

    public struct Outcome: Sendable, Equatable {
        public let previousVersion: Int
        public let currentVersion: Int
        /// File names of the migrations this run applied, in order.
        public let applied: [String]
    }

    @discardableResult
    public func migrate(_ pool: BlockingPostgresPool) throws -> Outcome {
        try pool.withConnection { connection in
            try connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
            return try migrateHoldingLock(connection)
        }
    }

    /// The highest applied version (0 for a database never migrated).
    public static func currentVersion(_ pool: BlockingPostgresPool) throws -> Int {
        try pool.withConnection { connection in
            let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").first?.decode(Bool.self) ?? false
            guard exists else { return 0 }
            return try version(connection)
        }
    }

    private func migrateHoldingLock(_ connection: BlockingPostgresConnection) throws -> Outcome {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                sha256     text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let previous = try Self.version(connection)
        guard previous <= catalog.latestVersion else {
            throw MigrationError.databaseNewerThanCode(database: previous, code: catalog.latestVersion)
        }
        for row in try connection.query("SELECT version, sha256 FROM schema_migrations ORDER BY version") {
            let (version, sha256) = try row.decode((Int32, String).self)
            if let known = catalog.migrations.first(where: { $0.version == Int(version) }), known.sha256 != sha256 {
                throw MigrationError.editedAfterApplied(version: Int(version), name: known.name)
            }
        }
        var applied: [String] = []
        for migration in catalog.migrations where migration.version > previous {
            do {
                try connection.transaction { connection in
                    for statement in SQLScript.statements(migration.sql) { try connection.execute(statement) }
                    try connection.query("""
                        INSERT INTO schema_migrations (version, name, sha256)
                        VALUES (\(Int32(migration.version)), \(migration.name), \(migration.sha256))
                        """)
                }
            } catch let error as PSQLError {
                throw PostgresStoreError.migrationFailed(version: migration.version, name: migration.name, reason: PostgresErrorText.describe(error))
            }
            applied.append(migration.fileName)
        }
        return Outcome(previousVersion: previous, currentVersion: try Self.version(connection), applied: applied)
    }

    private static func version(_ connection: BlockingPostgresConnection) throws -> Int {
        Int(try connection.query("SELECT COALESCE(MAX(version), 0)::int4 FROM schema_migrations").first?.decode(Int32.self) ?? 0)
    }
}
