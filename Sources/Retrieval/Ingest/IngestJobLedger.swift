import Foundation

/// The ingest jobs of a library's database: create, list, read, cancel. Writes go through the
/// serving store's writer (serialised with every other write), reads through its pool.
public struct IngestJobLedger: Sendable {
    public let library: ImageLibrary

    public init(library: ImageLibrary) { self.library = library }

    /// A folder job, queued; once started it lists first (the runner lists it, so a kill while
    /// listing lists again).
    public func createFolderJob(root: String, recursive: Bool) throws -> IngestJob {
        try read(try library.embeddedStore().writeTransaction { try IngestJobRecords.create($0, kind: .folder, root: root, recursive: recursive) })
    }

    /// A URL job, queued, its work list written with it.
    public func createURLJob(urls: [String]) throws -> IngestJob {
        try read(try library.embeddedStore().writeTransaction { db in
            let id = try IngestJobRecords.create(db, kind: .urls, root: "", recursive: false)
            try IngestJobRecords.setWorkList(db, job: id, sources: urls, skippedEntries: 0)
            return id
        })
    }

    public func job(_ id: Int64) throws -> IngestJob? {
        try library.embeddedStore().read { try IngestJobRecords.job($0, id: id) }
    }

    /// Newest first.
    public func jobs(limit: Int) throws -> [IngestJob] {
        try library.embeddedStore().read { try IngestJobRecords.jobs($0, limit: limit) }
    }

    /// Jobs not finished — queued, or left listing or running by a stop, a crash or a kill —
    /// oldest (first submitted) first.
    public func unfinished() throws -> [IngestJob] {
        try library.embeddedStore().read { try IngestJobRecords.unfinished($0) }
    }

    /// The queued jobs' ids in the order they start (submission order).
    public func queue() throws -> [Int64] {
        try library.embeddedStore().read { try IngestJobRecords.queue($0) }
    }

    /// Takes a queued job out of the queue (to listing or running) and answers it as it is now;
    /// nil when it was no longer queued (cancelled meanwhile).
    public func start(_ id: Int64) throws -> IngestJob? {
        guard try library.embeddedStore().writeTransaction({ try IngestJobRecords.start($0, job: id) }) else { return nil }
        return try job(id)
    }

    /// Puts a started, unfinished job back in the queue: it starts again, where its submission
    /// placed it, when a slot is free (a restart with fewer running slots than jobs running).
    public func requeue(_ id: Int64) throws {
        try library.embeddedStore().writeTransaction { try IngestJobRecords.requeue($0, job: id) }
    }

    public func problems(_ id: Int64, limit: Int) throws -> [IngestJobProblem] {
        try library.embeddedStore().read { try IngestJobRecords.problems($0, job: id, limit: limit) }
    }

    /// Every work item's source, outcome and item id, in order.
    public func outcomes(_ id: Int64) throws -> [(source: String, state: String, itemID: Int64?)] {
        try library.embeddedStore().read { db in try IngestJobRecords.outcomes(db, job: id).map { ($0.source, $0.state, $0.itemID) } }
    }

    /// Marks an unfinished job cancelled (its pending items stay pending; a queued job never
    /// starts); false when it had finished already.
    public func cancel(_ id: Int64) throws -> Bool {
        try library.embeddedStore().writeTransaction { db in
            guard let job = try IngestJobRecords.job(db, id: id), !job.isFinished else { return false }
            try IngestJobRecords.setState(db, job: id, .cancelled)
            return true
        }
    }

    /// Marks an unfinished job failed, with why.
    public func fail(_ id: Int64, error: String) throws {
        try setState(id, .failed, error: error, onlyIf: [.queued, .listing, .running])
    }

    func setState(_ id: Int64, _ state: IngestJob.State, error: String? = nil, onlyIf current: Set<IngestJob.State>) throws {
        try library.embeddedStore().writeTransaction { db in
            guard let job = try IngestJobRecords.job(db, id: id), current.contains(job.state) else { return }
            try IngestJobRecords.setState(db, job: id, state, error: error)
        }
    }

    func setWorkList(_ id: Int64, sources: [String], skippedEntries: Int) throws {
        try library.embeddedStore().writeTransaction { try IngestJobRecords.setWorkList($0, job: id, sources: sources, skippedEntries: skippedEntries) }
    }

    func pending(_ id: Int64, after seq: Int64, limit: Int) throws -> [IngestJobItem] {
        try library.embeddedStore().read { try IngestJobRecords.pending($0, job: id, after: seq, limit: limit) }
    }

    private func read(_ id: Int64) throws -> IngestJob {
        guard let job = try job(id) else { throw StoreError.io("ingest job \(id) vanished after it was recorded") }
        return job
    }
}
