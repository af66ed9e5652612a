import Foundation
import Synchronization
import PostgresNIO
import PostgresStore
import Retrieval
import TestSupport
import Testing

@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct PostgresMigrationTests {
    @Test func migratingTwiceIsANoOp() throws {
        let pool = BlockingPostgresPool(url: try PostgresURL(try TemporaryPostgres.shared().makeDatabase()))
        defer { pool.close() }
        let migrator = PostgresMigrator(catalog: try PostgresMigrator.bundledCatalog())
        #expect(try PostgresMigrator.currentVersion(pool) == 0)
        let first = try migrator.migrate(pool)
        #expect(first.previousVersion == 0)
        #expect(first.currentVersion == migrator.catalog.latestVersion)
        #expect(first.applied == migrator.catalog.migrations.map(\.fileName))
        let second = try migrator.migrate(pool)
        #expect(second.previousVersion == first.currentVersion && second.currentVersion == first.currentVersion)
        #expect(second.applied.isEmpty)
        let tables = try pool.withConnection { connection in
            try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").map { try $0.decode(String.self) }
        }
        #expect(tables == ["adapter_replicas", "adapters", "embeddings", "image_bytes", "ingest_job_items", "ingest_jobs", "items", "schema_migrations", "spaces"])
    }

    /// Replicas starting at once: the advisory lock lets one migrate; the others find it done.
    @Test func concurrentMigratorsApplyEachMigrationOnce() throws {
        let url = try PostgresURL(try TemporaryPostgres.shared().makeDatabase())
        let pools = (0..<3).map { _ in BlockingPostgresPool(url: url) }
        defer { pools.forEach { $0.close() } }
        let migrator = PostgresMigrator(catalog: try PostgresMigrator.bundledCatalog())
        let outcomes = Mutex<[Result<PostgresMigrator.Outcome, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: pools.count) { index in
            let outcome = Result { try migrator.migrate(pools[index]) }
            outcomes.withLock { $0.append(outcome) }
        }
        let results = try outcomes.withLock { $0 }.map { try $0.get() }
        #expect(results.filter { !$0.applied.isEmpty }.count == 1)
        #expect(results.allSatisfy { $0.currentVersion == migrator.catalog.latestVersion })
        let recorded = try pools[0].withConnection { try $0.query("SELECT count(*) FROM schema_migrations").first?.decode(Int64.self) }
        #expect(recorded == Int64(migrator.catalog.latestVersion))
    }

    @Test func aMigrationEditedAfterItWasAppliedIsRefused() throws {
        let pool = BlockingPostgresPool(url: try PostgresURL(try TemporaryPostgres.shared().makeDatabase()))
        defer { pool.close() }
        let bundled = try PostgresMigrator.bundledCatalog()
        try PostgresMigrator(catalog: bundled).migrate(pool)
        let first = bundled.migrations[0]
        let edited = try MigrationCatalog(migrations: [Migration(version: 1, name: first.name, sql: first.sql + "\n-- edited")]
                                          + bundled.migrations.dropFirst())
        #expect {
            try PostgresMigrator(catalog: edited).migrate(pool)
        } throws: { error in
            if case MigrationError.editedAfterApplied(version: 1, _) = error { true } else { false }
        }
    }

    /// A failing migration leaves nothing behind: its statements and its row roll back together.
    @Test func aFailingMigrationRollsBackWhole() throws {
        let pool = BlockingPostgresPool(url: try PostgresURL(try TemporaryPostgres.shared().makeDatabase()))
        defer { pool.close() }
        let bundled = try PostgresMigrator.bundledCatalog()
        let broken = Migration(version: bundled.latestVersion + 1, name: "broken",
                               sql: "CREATE TABLE half_done (id int);\nSELECT no_such_function();")
        let catalog = try MigrationCatalog(migrations: bundled.migrations + [broken])
        #expect(throws: PostgresStoreError.self) { try PostgresMigrator(catalog: catalog).migrate(pool) }
        #expect(try PostgresMigrator.currentVersion(pool) == bundled.latestVersion)
        let leftover = try pool.withConnection { try $0.query("SELECT to_regclass('half_done') IS NULL").first?.decode(Bool.self) }
        #expect(leftover == true)
    }
}
