import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// The ingest queue in SQLite: new jobs wait queued in submission order, leave the queue to
/// listing or running, may be cancelled without ever starting, go back to it keeping their
/// work list, and survive the migration that introduced them with every older row intact.
@Suite struct IngestQueueTests {
    private func library(_ dir: URL) throws -> ImageLibrary {
        try ImageLibrary(directory: DataDirectory(root: dir), current: try EmbeddingSpace(modelID: "test-clip", dimension: 16))
    }

    @Test func newJobsWaitQueuedInSubmissionOrderAndLeaveTheQueueOnce() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let library = try library(dir)
        let ledger = IngestJobLedger(library: library)
        let folder = try ledger.createFolderJob(root: "/srv/photos", recursive: true)
        let urls = try ledger.createURLJob(urls: ["https://example.com/a.png", "https://example.com/b.png"])
        let later = try ledger.createFolderJob(root: "/srv/more", recursive: false)
        #expect([folder, urls, later].map(\.state) == [.queued, .queued, .queued])
        #expect([folder, urls, later].allSatisfy { $0.startedAt == nil })
        #expect(try ledger.queue() == [folder.id, urls.id, later.id])
        #expect(try ledger.unfinished().map(\.id) == [folder.id, urls.id, later.id])

        // A URL job has its work list: it runs at once. A folder job is listed first.
        let runningURLs = try #require(try ledger.start(urls.id))
        #expect(runningURLs.state == .running && runningURLs.total == 2 && runningURLs.startedAt != nil)
        #expect(try ledger.start(folder.id)?.state == .listing)
        #expect(try ledger.start(folder.id) == nil, "a job leaves the queue once")
        #expect(try ledger.queue() == [later.id])

        // Cancelled while queued: it never starts.
        #expect(try ledger.cancel(later.id))
        #expect(try ledger.start(later.id) == nil)
        let cancelled = try #require(try ledger.job(later.id))
        #expect(cancelled.state == .cancelled && cancelled.startedAt == nil && cancelled.finishedAt != nil)
        #expect(try ledger.queue().isEmpty)
        try library.close()
    }

    @Test func aRequeuedJobKeepsItsWorkListAndItsPlace() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let library = try library(dir)
        let ledger = IngestJobLedger(library: library)
        let first = try ledger.createFolderJob(root: "/srv/photos", recursive: true)
        let second = try ledger.createFolderJob(root: "/srv/more", recursive: true)
        let started = try #require(try ledger.start(first.id))
        try ledger.setWorkList(first.id, sources: ["a.png", "b.png", "c.png"], skippedEntries: 1)
        #expect(try ledger.job(first.id)?.state == .running)

        try ledger.requeue(first.id)
        #expect(try ledger.job(first.id)?.state == .queued)
        #expect(try ledger.queue() == [first.id, second.id], "submission order, not the order of going back")
        // Listed already: it resumes running, its work list and first start kept.
        let again = try #require(try ledger.start(first.id))
        #expect(again.state == .running && again.total == 3 && again.skippedEntries == 1)
        #expect(again.startedAt == started.startedAt)
        // Only a started job goes back; a finished one stays finished.
        _ = try ledger.cancel(second.id)
        try ledger.requeue(second.id)
        #expect(try ledger.job(second.id)?.state == .cancelled)
        try library.close()
    }

    /// 0004 rebuilds `ingest_jobs` (a CHECK cannot change in place) while `ingest_job_items`
    /// refers to it with ON DELETE CASCADE: every job and work item must come through.
    @Test func theQueueMigrationKeepsEveryJobAndWorkItem() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try MigrationCatalog.bundled()
        let db = try SQLiteConnection(path: dir.appendingPathComponent("q.sqlite").path)
        let before = try MigrationCatalog(migrations: Array(catalog.migrations.prefix(3)))
        try Migrator(catalog: before).migrate(db)
        try db.execute("""
            INSERT INTO ingest_jobs (id, kind, root, recursive, state, skipped_entries, created_at) VALUES
                (1, 'folder', '/srv/a', 1, 'completed', 2, '2026-01-01T00:00:00.000Z'),
                (7, 'urls', '', 0, 'running', 0, '2026-01-02T00:00:00.000Z');
            INSERT INTO ingest_job_items (job_id, seq, source, state, item_id, reason) VALUES
                (1, 0, 'a.png', 'stored', 11, NULL), (1, 1, 'notes.txt', 'skipped', NULL, 'not an image'),
                (7, 0, 'https://example.com/x.png', 'pending', NULL, NULL);
            """)
        let outcome = try Migrator(catalog: catalog).migrate(db)
        #expect(outcome.applied.contains("0004_ingest_queue"))

        let jobs = try db.query("SELECT id, state, skipped_entries, started_at FROM ingest_jobs ORDER BY id")
            .map { "\($0[0].integer ?? 0) \($0[1].text ?? "") \($0[2].integer ?? -1) \($0[3].text ?? "nil")" }
        #expect(jobs == ["1 completed 2 2026-01-01T00:00:00.000Z", "7 running 0 2026-01-02T00:00:00.000Z"])
        let items = try db.query("SELECT job_id, seq, source, state, item_id, reason FROM ingest_job_items ORDER BY job_id, seq")
            .map { "\($0[0].integer ?? 0)/\($0[1].integer ?? 0) \($0[2].text ?? "") \($0[3].text ?? "") \($0[4].integer ?? 0) \($0[5].text ?? "")" }
        #expect(items == ["1/0 a.png stored 11 ", "1/1 notes.txt skipped 0 not an image", "7/0 https://example.com/x.png pending 0 "])
        // Ids go on from the highest ever given; 'queued' is a state now; the work list still
        // belongs to its job.
        try db.run("INSERT INTO ingest_jobs (kind, root, state) VALUES ('urls', '', 'queued')")
        #expect(try db.scalar("SELECT MAX(id) FROM ingest_jobs").integer == 8)
        #expect(throws: SQLiteError.self) { try db.run("INSERT INTO ingest_job_items (job_id, seq, source) VALUES (99, 0, 'x')") }
        try db.run("DELETE FROM ingest_jobs WHERE id = 1")
        #expect(try db.scalar("SELECT COUNT(*) FROM ingest_job_items WHERE job_id = 1").integer == 0)
        #expect(try db.scalar("SELECT COUNT(*) FROM ingest_job_items").integer == 1)
    }
}
