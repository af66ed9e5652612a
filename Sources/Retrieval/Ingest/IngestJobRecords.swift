import Foundation

/// The SQL of ingest jobs, one function per statement (like `ItemRecords`).
enum IngestJobRecords {
    static func create(_ db: SQLiteConnection, kind: IngestJob.Kind, root: String, recursive: Bool) throws -> Int64 {
        let rows = try db.query("INSERT INTO ingest_jobs (kind, root, recursive, state) VALUES (?, ?, ?, 'queued') RETURNING id",
                                [.text(kind.rawValue), .text(root), .integer(recursive ? 1 : 0)])
        guard let id = rows.first?[0].integer else { throw StoreError.io("the ingest job was not recorded") }
        return id
    }

    /// Writes the whole work list and moves the job to running (in the caller's transaction).
    static func setWorkList(_ db: SQLiteConnection, job: Int64, sources: [String], skippedEntries: Int) throws {
        try db.run("DELETE FROM ingest_job_items WHERE job_id = ?", [.integer(job)])
        for (seq, source) in sources.enumerated() {
            try db.run("INSERT INTO ingest_job_items (job_id, seq, source) VALUES (?, ?, ?)",
                       [.integer(job), .integer(Int64(seq)), .text(source)])
        }
        try db.run("UPDATE ingest_jobs SET state = 'running', skipped_entries = ? WHERE id = ? AND state = 'listing'",
                   [.integer(Int64(skippedEntries)), .integer(job)])
    }

    /// Takes a queued job out of the queue: a folder job with no work list yet lists first, any
    /// other resumes its work list. False when it was not queued (cancelled meanwhile).
    static func start(_ db: SQLiteConnection, job: Int64) throws -> Bool {
        try db.run("""
            UPDATE ingest_jobs SET
                state = CASE WHEN kind = 'folder' AND NOT EXISTS (SELECT 1 FROM ingest_job_items WHERE job_id = ingest_jobs.id)
                             THEN 'listing' ELSE 'running' END,
                started_at = COALESCE(started_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            WHERE id = ? AND state = 'queued'
            """, [.integer(job)])
        return db.changes > 0
    }

    /// Puts a started, unfinished job back in the queue (where its id places it).
    static func requeue(_ db: SQLiteConnection, job: Int64) throws {
        try db.run("UPDATE ingest_jobs SET state = 'queued' WHERE id = ? AND state IN ('listing', 'running')", [.integer(job)])
    }

    /// The queued jobs' ids, first to start first.
    static func queue(_ db: SQLiteConnection) throws -> [Int64] {
        try db.query("SELECT id FROM ingest_jobs WHERE state = 'queued' ORDER BY id").compactMap { $0[0].integer }
    }

    static func pending(_ db: SQLiteConnection, job: Int64, after seq: Int64, limit: Int) throws -> [IngestJobItem] {
        try db.query("SELECT seq, source FROM ingest_job_items WHERE job_id = ? AND state = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
                     [.integer(job), .integer(seq), .integer(Int64(limit))])
            .map { IngestJobItem(seq: $0[0].integer ?? 0, source: $0[1].text ?? "") }
    }

    /// Records an item's outcome; only a pending item changes, so a replay cannot count twice.
    static func finish(_ db: SQLiteConnection, job: Int64, seq: Int64, state: String, itemID: Int64?, reason: String?) throws {
        try db.run("UPDATE ingest_job_items SET state = ?, item_id = ?, reason = ? WHERE job_id = ? AND seq = ? AND state = 'pending'",
                   [.text(state), itemID.map { .integer($0) } ?? .null, reason.map { .text($0) } ?? .null, .integer(job), .integer(seq)])
    }

    static func setState(_ db: SQLiteConnection, job: Int64, _ state: IngestJob.State, error: String? = nil) throws {
        let finished = state == .completed || state == .cancelled || state == .failed
        try db.run("""
            UPDATE ingest_jobs SET state = ?, error = COALESCE(?, error),
                finished_at = CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE finished_at END
            WHERE id = ?
            """, [.text(state.rawValue), error.map { .text($0) } ?? .null, .integer(finished ? 1 : 0), .integer(job)])
    }

    static func job(_ db: SQLiteConnection, id: Int64) throws -> IngestJob? {
        try jobs(db, where: "j.id = ?", [.integer(id)], limit: 1).first
    }

    /// Newest first.
    static func jobs(_ db: SQLiteConnection, where condition: String = "1", _ bindings: [SQLiteValue] = [], limit: Int) throws -> [IngestJob] {
        try db.query("""
            SELECT j.id, j.kind, j.root, j.recursive, j.state, j.skipped_entries, j.error, j.created_at, j.finished_at, j.started_at,
                   COUNT(i.seq),
                   COALESCE(SUM(i.state = 'stored'), 0), COALESCE(SUM(i.state = 'duplicate'), 0),
                   COALESCE(SUM(i.state = 'skipped'), 0), COALESCE(SUM(i.state = 'failed'), 0)
            FROM ingest_jobs j LEFT JOIN ingest_job_items i ON i.job_id = j.id
            WHERE \(condition) GROUP BY j.id ORDER BY j.id DESC LIMIT ?
            """, bindings + [.integer(Int64(limit))]).map { row in
            IngestJob(
                id: row[0].integer ?? 0, kind: IngestJob.Kind(rawValue: row[1].text ?? "") ?? .folder, root: row[2].text ?? "",
                recursive: row[3].integer == 1, state: IngestJob.State(rawValue: row[4].text ?? "") ?? .failed,
                total: Int(row[10].integer ?? 0), stored: Int(row[11].integer ?? 0), duplicates: Int(row[12].integer ?? 0),
                skipped: Int(row[13].integer ?? 0), failed: Int(row[14].integer ?? 0), skippedEntries: Int(row[5].integer ?? 0),
                error: row[6].text, createdAt: row[7].text ?? "", startedAt: row[9].text, finishedAt: row[8].text)
        }
    }

    /// Oldest first: the order they were submitted in.
    static func unfinished(_ db: SQLiteConnection) throws -> [IngestJob] {
        try jobs(db, where: "j.state IN ('queued', 'listing', 'running')", limit: 1_000_000).reversed()
    }

    static func problems(_ db: SQLiteConnection, job: Int64, limit: Int) throws -> [IngestJobProblem] {
        try db.query("SELECT source, state, reason FROM ingest_job_items WHERE job_id = ? AND state IN ('skipped', 'failed') ORDER BY seq LIMIT ?",
                     [.integer(job), .integer(Int64(limit))])
            .map { IngestJobProblem(source: $0[0].text ?? "", state: $0[1].text ?? "", reason: $0[2].text ?? "") }
    }

    /// The sources of a job's items with their outcome and item id (tests and the kill check).
    static func outcomes(_ db: SQLiteConnection, job: Int64) throws -> [(source: String, state: String, itemID: Int64?)] {
        try db.query("SELECT source, state, item_id FROM ingest_job_items WHERE job_id = ? ORDER BY seq", [.integer(job)])
            .map { ($0[0].text ?? "", $0[1].text ?? "", $0[2].integer) }
    }
}
