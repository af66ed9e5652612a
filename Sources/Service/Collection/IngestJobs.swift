import Engine
import Foundation
import Logging
import Retrieval
import Synchronization

/// The service's background ingest jobs: starts them (`POST /admin/ingest`), runs each on its
/// own task, resumes those a stop, crash or kill left unfinished when the service starts,
/// cancels them, and reports progress with rate and ETA (`GET /admin/ingest/{id}`, /metrics).
/// The jobs and their work lists live in SQLite (`IngestJobLedger`); this type only keeps what
/// a status needs beyond them: when the current run began and how far it had got then.
final class IngestJobs: Sendable {
    struct Problem: Encodable, Sendable {
        let source: String
        let state: String
        let reason: String
    }

    /// A job as `/admin/ingest` shows it. Never the folder's server path.
    struct Status: Encodable, Sendable {
        let id: Int64
        let kind: String
        let state: String
        let recursive: Bool?
        let total: Int
        let done: Int
        let stored: Int
        let duplicates: Int
        let skipped: Int
        let failed: Int
        let skipped_entries: Int
        /// Items finished per second in the current run (nil before the first batch).
        let rate_per_second: Double?
        let eta_seconds: Double?
        let created_at: String
        let finished_at: String?
        let error: String?
        /// The first items that were skipped or failed, with why.
        let problems: [Problem]?
    }

    /// Problems a single job's status lists at most.
    static let problemsShown = 50
    /// Jobs `GET /admin/ingest` lists at most (newest first).
    static let listed = 100

    private struct Run: Sendable {
        let task: Task<Void, Never>
        let began: ContinuousClock.Instant
        /// The job as this run found it: /metrics counts only what the run adds.
        let atStart: IngestJob
        let doneAtStart: Int
        var doneSinceStart = 0
        var total: Int
    }

    private let runs = Mutex<[Int64: Run]>([:])
    private let settings: IngestSettings
    private let imageURL: ImageURLPolicy
    private let metrics: ServiceMetrics
    private let logger: Logger

    init(settings: IngestSettings, imageURL: ImageURLPolicy, metrics: ServiceMetrics, logger: Logger) {
        (self.settings, self.imageURL, self.metrics, self.logger) = (settings, imageURL, metrics, logger)
    }

    // MARK: starting

    func startFolder(path: String, recursive: Bool, collection: ImageLibrary, engine: EmbeddingEngine) throws -> Status {
        let folder: IngestFolder
        do {
            folder = try IngestFolder(path: path, allowedRoots: settings.allowedRoots, maxFileBytes: settings.maxFileBytes)
        } catch {
            switch error {
            case .notAllowed:
                throw APIError(status: 403, code: "ingest-path-refused", title: "Folder not allowed",
                               detail: "'path' is not inside any of ingest.allowed_roots" + (settings.allowedRoots.isEmpty ? " (none configured)" : ""),
                               field: "path")
            case .notAbsolute, .notFound, .notAFolder: throw APIError.invalidField("path", "'path': \(error)")
            }
        }
        let job = try IngestJobLedger(library: collection).createFolderJob(root: folder.root, recursive: recursive)
        launch(job, collection: collection, engine: engine)
        return try status(job.id, collection: collection)
    }

    func startURLs(_ urls: [String], collection: ImageLibrary, engine: EmbeddingEngine) throws -> Status {
        guard imageURL.isEnabled else {
            throw APIError.invalidField("urls", "'urls': fetching images by URL is disabled on this server (image_url.allowed_hosts)")
        }
        let job = try IngestJobLedger(library: collection).createURLJob(urls: urls)
        launch(job, collection: collection, engine: engine)
        return try status(job.id, collection: collection)
    }

    /// Continues every job left listing or running, oldest first.
    func resumeUnfinished(collection: ImageLibrary, engine: EmbeddingEngine) throws {
        for job in try IngestJobLedger(library: collection).unfinished() {
            logger.notice("resuming ingest job", metadata: ["job": "\(job.id)", "done": "\(job.done)", "total": "\(job.total)"])
            launch(job, collection: collection, engine: engine)
        }
    }

    private func launch(_ job: IngestJob, collection: ImageLibrary, engine: EmbeddingEngine) {
        let ledger = IngestJobLedger(library: collection)
        let source: IngestJobRunner.Source
        switch job.kind {
        case .folder:
            source = .folder(IngestFolder(resolvedRoot: job.root, allowedRoots: settings.allowedRoots, maxFileBytes: settings.maxFileBytes))
        case .urls:
            let fetcher = ImageFetcher(policy: imageURL)
            source = .urls { url in try await fetcher.fetch(url, field: "urls") }
        }
        let settings = self.settings
        let id = job.id
        runs.withLock { runs in
            let task = Task.detached { [self] in
                do {
                    let runner = IngestJobRunner(
                        ledger: ledger, source: source, embedder: try EngineImageEmbedder(engine: engine),
                        batchSize: settings.jobBatchSize, maxFiles: settings.maxJobFiles, imagesInFlight: engine.requestWork.workers)
                    await runner.run(job) { [self] count in progressed(id, by: count, ledger: ledger) }
                } catch {
                    try? ledger.fail(id, error: "\(error)")
                    logger.error("ingest job could not start", metadata: ["job": "\(id)", "error": "\(error)"])
                }
                finished(id, ledger: ledger)
            }
            runs[id] = Run(task: task, began: .now, atStart: job, doneAtStart: job.done, total: job.total)
        }
        publishMetrics()
    }

    // MARK: progress

    private func progressed(_ id: Int64, by count: Int, ledger: IngestJobLedger) {
        let total = (try? ledger.job(id))?.total
        runs.withLock { runs in
            runs[id]?.doneSinceStart += count
            if let total { runs[id]?.total = total }
        }
        publishMetrics()
    }

    private func finished(_ id: Int64, ledger: IngestJobLedger) {
        let run = runs.withLock { $0.removeValue(forKey: id) }
        if let job = try? ledger.job(id), let before = run?.atStart {
            for (outcome, count) in [("stored", job.stored - before.stored), ("duplicate", job.duplicates - before.duplicates),
                                     ("skipped", job.skipped - before.skipped), ("failed", job.failed - before.failed)] {
                metrics.recordIngest(outcome: outcome, count: count)
            }
            logger.notice("ingest job ended", metadata: [
                "job": "\(id)", "state": "\(job.state.rawValue)", "stored": "\(job.stored)", "duplicates": "\(job.duplicates)",
                "skipped": "\(job.skipped)", "failed": "\(job.failed)",
            ])
        }
        publishMetrics()
    }

    private func publishMetrics() {
        let (count, rate, remaining) = runs.withLock { runs in
            runs.values.reduce((0, 0.0, 0)) { sum, run in
                let estimate = Self.estimate(run, now: .now, done: run.doneAtStart + run.doneSinceStart)
                return (sum.0 + 1, sum.1 + (estimate.rate ?? 0), sum.2 + max(0, run.total - run.doneAtStart - run.doneSinceStart))
            }
        }
        metrics.setIngestJobs(running: count, rate: rate, remaining: remaining)
    }

    /// Rate over the current run (items finished since it began, per second) and the time left
    /// at that rate.
    private static func estimate(_ run: Run, now: ContinuousClock.Instant, done: Int) -> (rate: Double?, eta: Double?) {
        let elapsed = Double((now - run.began).components.seconds) + Double((now - run.began).components.attoseconds) * 1e-18
        guard run.doneSinceStart > 0, elapsed > 0 else { return (nil, nil) }
        let rate = Double(run.doneSinceStart) / elapsed
        return (rate, Double(max(0, run.total - done)) / rate)
    }

    // MARK: reading and cancelling

    func status(_ id: Int64, collection: ImageLibrary, problems: Bool = true) throws -> Status {
        let ledger = IngestJobLedger(library: collection)
        guard let job = try ledger.job(id) else { throw Self.notFound(id) }
        let run = runs.withLock { $0[id] }
        var estimate: (rate: Double?, eta: Double?) = (nil, nil)
        if let run, !job.isFinished {
            var current = run
            current.total = job.total
            estimate = Self.estimate(current, now: .now, done: job.done)
        }
        let shown = problems ? try ledger.problems(id, limit: Self.problemsShown).map { Problem(source: $0.source, state: $0.state, reason: $0.reason) } : nil
        return Status(
            id: job.id, kind: job.kind.rawValue, state: job.state.rawValue, recursive: job.kind == .folder ? job.recursive : nil,
            total: job.total, done: job.done, stored: job.stored, duplicates: job.duplicates, skipped: job.skipped, failed: job.failed,
            skipped_entries: job.skippedEntries, rate_per_second: estimate.rate, eta_seconds: job.isFinished ? 0 : estimate.eta,
            created_at: job.createdAt, finished_at: job.finishedAt, error: job.error, problems: shown)
    }

    func list(collection: ImageLibrary) throws -> [Status] {
        try IngestJobLedger(library: collection).jobs(limit: Self.listed).map { try status($0.id, collection: collection, problems: false) }
    }

    /// Cancels an unfinished job: it stops after the batch committing now; what it stored stays.
    func cancel(_ id: Int64, collection: ImageLibrary) throws -> Status {
        let ledger = IngestJobLedger(library: collection)
        guard try ledger.job(id) != nil else { throw Self.notFound(id) }
        _ = try ledger.cancel(id)
        runs.withLock { $0[id] }?.task.cancel()
        return try status(id, collection: collection)
    }

    /// Stops every running job and waits for it, leaving each unfinished in SQLite so the next
    /// start resumes it (a service stopping; tests that restart one).
    func stopAll() async {
        let tasks = runs.withLock { $0.values.map(\.task) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    static func notFound(_ id: Int64) -> APIError {
        APIError(status: 404, code: "ingest-job-not-found", title: "Unknown ingest job", detail: "no ingest job with id \(id)", field: "id")
    }
}
