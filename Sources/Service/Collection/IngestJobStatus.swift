/// An ingest job as `/admin/ingest` shows it. Never the folder's server path.
struct IngestJobStatus: Encodable, Sendable {
    struct Problem: Encodable, Sendable {
        let source: String
        let state: String
        let reason: String
    }

    let id: Int64
    let kind: String
    /// queued, listing, running, completed, cancelled or failed.
    let state: String
    /// While queued: 1 for the job that starts next.
    let queue_position: Int?
    let recursive: Bool?
    let total: Int
    let done: Int
    let stored: Int
    let duplicates: Int
    let skipped: Int
    let failed: Int
    let skipped_entries: Int
    /// Items finished per second in the current run (nil before the first batch, and while queued).
    let rate_per_second: Double?
    let eta_seconds: Double?
    let created_at: String
    /// When the job first left the queue.
    let started_at: String?
    let finished_at: String?
    let error: String?
    /// The first items that were skipped or failed, with why.
    let problems: [Problem]?
}
