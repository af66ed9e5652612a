import Foundation

/// A background ingest as recorded in SQLite (`ingest_jobs` and its work list), with its counts.
public struct IngestJob: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case folder, urls }
    /// queued → listing (a folder job not listed yet) → running → completed | cancelled | failed.
    /// A job waits queued until a running slot is free (the queue is the queued jobs in id order,
    /// which is submission order); a queued job may be cancelled without ever starting. At start
    /// a job found listing or running resumes, or waits queued again when more were running than
    /// the service now allows.
    public enum State: String, Sendable, Codable { case queued, listing, running, completed, cancelled, failed }

    public let id: Int64
    public let kind: Kind
    /// The resolved folder of a folder job ("" for URLs). Internal: never shown to clients.
    public let root: String
    public let recursive: Bool
    public var state: State
    public var total: Int
    public var stored: Int
    public var duplicates: Int
    public var skipped: Int
    public var failed: Int
    /// Entries the listing left out (symbolic links, devices, FIFOs, sockets, hidden files).
    public var skippedEntries: Int
    public var error: String?
    public let createdAt: String
    /// When the job first left the queue (nil while it never ran).
    public var startedAt: String?
    public var finishedAt: String?

    /// Items with an outcome (stored, duplicate, skipped or failed).
    public var done: Int { stored + duplicates + skipped + failed }
    public var isFinished: Bool { state == .completed || state == .cancelled || state == .failed }
}

/// One work item of a job that has not been processed yet.
public struct IngestJobItem: Sendable, Equatable {
    public let seq: Int64
    /// A path relative to the job's root, or a URL.
    public let source: String
}

/// A work item that did not become a stored image, and why.
public struct IngestJobProblem: Sendable, Equatable, Codable {
    public let source: String
    public let state: String
    public let reason: String
}
