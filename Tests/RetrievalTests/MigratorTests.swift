import Foundation
import Testing
@testable import Retrieval

@Suite struct MigratorTests {
    private func database(_ dir: URL) throws -> SQLiteConnection {
        try SQLiteConnection(path: dir.appendingPathComponent("m.sqlite").path)
    }

    @Test func bundledMigrationsAreFoundAndCreateTheTables() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = try MigrationCatalog.bundled()
        #expect(catalog.migrations.map(\.fileName).prefix(2) == ["0001_initial", "0002_items_by_uri"])
        let db = try database(dir)
        let outcome = try Migrator(catalog: catalog).migrate(db)
        #expect(outcome.previousVersion == 0)
        #expect(outcome.currentVersion == catalog.latestVersion)
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0].text }
        for table in ["adapters", "index_checkpoints", "item_deletions", "items", "schema_migrations", "spaces"] {
            #expect(tables.contains(table), "\(tables)")
        }
        // Idempotent: a second run applies nothing.
        #expect(try Migrator(catalog: catalog).migrate(db).applied.isEmpty)
    }

    @Test func appliesInOrderEachRecordedAndResumesAfterAFailure() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try MigrationCatalog(migrations: [
            Migration(version: 2, name: "add_b", sql: "ALTER TABLE a ADD COLUMN b TEXT;"),
            Migration(version: 1, name: "create_a", sql: "CREATE TABLE a (id INTEGER PRIMARY KEY);"),
            Migration(version: 3, name: "broken", sql: "CREATE TABLE c (id INTEGER); INSERT INTO nowhere VALUES (1);"),
        ])
        let db = try database(dir)
        let error = #expect(throws: MigrationError.self) { try Migrator(catalog: first).migrate(db) }
        guard case .failed(3, "broken", _) = error else { Issue.record("unexpected \(String(describing: error))"); return }
        let recorded = try db.query("SELECT version, name FROM schema_migrations ORDER BY version").map { "\($0[0].integer ?? 0)_\($0[1].text ?? "")" }
        #expect(recorded == ["1_create_a", "2_add_b"])
        // The failed migration left nothing behind (its CREATE TABLE was rolled back).
        #expect(try db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'").integer == 0)

        let fixed = try MigrationCatalog(migrations: first.migrations.dropLast() + [
            Migration(version: 3, name: "broken", sql: "CREATE TABLE c (id INTEGER);"),
        ])
        let outcome = try Migrator(catalog: fixed).migrate(db)
        #expect(outcome.previousVersion == 2 && outcome.currentVersion == 3 && outcome.applied == ["0003_broken"])
    }

    @Test func refusesADatabaseNewerThanTheCode() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try database(dir)
        let catalog = try MigrationCatalog.bundled()
        try Migrator(catalog: catalog).migrate(db)
        try db.run("INSERT INTO schema_migrations (version, name, sha256) VALUES (?, 'from_the_future', 'x')",
                   [.integer(Int64(catalog.latestVersion + 7))])
        let error = #expect(throws: MigrationError.self) { try Migrator(catalog: catalog).migrate(db) }
        #expect(error?.description.contains("refusing") == true, "\(String(describing: error))")
        // The store refuses it at start as well.
        let space = try EmbeddingSpace(modelID: "m", dimension: 4)
        let storeDir = dir.appendingPathComponent("store")
        try ImageStore(directory: storeDir, space: space).close()
        let storeDB = try SQLiteConnection(path: storeDir.appendingPathComponent(DataDirectory.databaseName).path)
        try storeDB.run("INSERT INTO schema_migrations (version, name, sha256) VALUES (999, 'from_the_future', 'x')")
        #expect(throws: MigrationError.self) { try ImageStore(directory: storeDir, space: space) }
    }

    @Test func refusesGapsDuplicatesAndEditedMigrations() throws {
        #expect(throws: MigrationError.self) { try MigrationCatalog(migrations: [Migration(version: 2, name: "x", sql: "")]) }
        #expect(throws: MigrationError.self) {
            try MigrationCatalog(migrations: [Migration(version: 1, name: "x", sql: ""), Migration(version: 1, name: "y", sql: "")])
        }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try database(dir)
        try Migrator(catalog: MigrationCatalog(migrations: [Migration(version: 1, name: "a", sql: "CREATE TABLE a (x);")])).migrate(db)
        let edited = try MigrationCatalog(migrations: [Migration(version: 1, name: "a", sql: "CREATE TABLE a (x, y);")])
        let error = #expect(throws: MigrationError.self) { try Migrator(catalog: edited).migrate(db) }
        guard case .editedAfterApplied(1, "a") = error else { Issue.record("unexpected \(String(describing: error))"); return }
    }
}
