import Engine
import Foundation
import Logging
import Retrieval
import Synchronization

/// The service's background ingest jobs: admits them (`POST /admin/ingest`) into a queue, runs
/// at most `ingest.max_running_jobs` at once, each on its own task, and starts the queued ones in
/// submission order as running ones end; resumes what a stop, crash or kill left unfinished when
/// the service starts, in the same order under the same limit; cancels them, queued or running;
/// and reports progress with rate and ETA (`GET /admin/ingest/{id}`, /metrics).
///
/// The jobs, their work lists and the queue itself (the queued jobs in id order) live in SQLite
/// (`IngestJobLedger`), so a restart finds the queue as it was. This type keeps only what a
/// status needs beyond them — when the current run began and how far it had got then — and the
/// running tasks, which are what the limit counts: a cancelled job holds its slot until its task
/// has stopped, so no more than the limit ever decode at once.
final class IngestJobs: Sendable {
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
    /// Held by whoever admits, starts or cancels a job, so a free slot is taken once and the
    /// queue's length is checked and grown in one step. `true` once `stopAll` began: nothing
    /// starts after that (the jobs it stopped must stay unfinished for the next start).
    private let scheduling = Mutex(false)
    private let settings: IngestSettings
    private let imageURL: ImageURLPolicy
    private let metrics: ServiceMetrics
    private let logger: Logger

    init(settings: IngestSettings, imageURL: ImageURLPolicy, metrics: ServiceMetrics, logger: Logger) {
        (self.settings, self.imageURL, self.metrics, self.logger) = (settings, imageURL, metrics, logger)
    }

    // MARK: admitting

    func startFolder(path: String, recursive: Bool, collection: ImageLibrary, engine: EmbeddingEngine) throws -> IngestJobStatus {
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
        let job = try admit(collection: collection, engine: engine) { try $0.createFolderJob(root: folder.root, recursive: recursive) }
        return try status(job.id, collection: collection)
    }

    func startURLs(_ urls: [String], collection: ImageLibrary, engine: EmbeddingEngine) throws -> IngestJobStatus {
        guard imageURL.isEnabled else {
            throw APIError.invalidField("urls", "'urls': fetching images by URL is disabled on this server (image_url.allowed_hosts)")
        }
        let job = try admit(collection: collection, engine: engine) { try $0.createURLJob(urls: urls) }
        return try status(job.id, collection: collection)
    }

    /// Records a new job, queued, and starts it at once when a running slot is free. Refused
    /// (nothing recorded) when it would make more than `ingest.max_queued_jobs` wait.
    private func admit(
        collection: ImageLibrary, engine: EmbeddingEngine, create: (IngestJobLedger) throws -> IngestJob
    ) throws -> IngestJob {
        let ledger = IngestJobLedger(library: collection)
        return try scheduling.withLock { stopping in
            let waiting = try ledger.queue().count
            let free = max(0, settings.maxRunningJobs - runs.withLock { $0.count })
            guard waiting + 1 <= free + settings.maxQueuedJobs else { throw queueFull(waiting: waiting) }
            let job = try create(ledger)
            try startQueued(ledger, stopping: stopping, collection: collection, engine: engine)
            return job
        }
    }

    /// 503: the refusal passes once a running job ends, so `Retry-After` is the soonest a
    /// running job is expected to end (a minute while none has an estimate yet).
    private func queueFull(waiting: Int) -> APIError {
        let (running, soonest) = runs.withLock { runs in
            (runs.count, runs.values.compactMap { Self.estimate($0, now: .now, done: $0.doneAtStart + $0.doneSinceStart).eta }.min())
        }
        let retry = soonest.map { min(3_600, max(1, Int($0.rounded(.up)))) } ?? 60
        return APIError(
            status: 503, code: "ingest-queue-full", title: "Ingest queue full",
            detail: "\(waiting) ingest jobs are queued behind \(running) running; no more may wait (ingest.max_queued_jobs = \(settings.maxQueuedJobs), ingest.max_running_jobs = \(settings.maxRunningJobs)); retry when one ends",
            retryAfterSeconds: retry)
    }

    /// Starts queued jobs, first submitted first, while running slots are free. The caller holds
    /// `scheduling`.
    private func startQueued(_ ledger: IngestJobLedger, stopping: Bool, collection: ImageLibrary, engine: EmbeddingEngine) throws {
        var queue = try ledger.queue()[...]
        while !stopping, runs.withLock({ $0.count }) < settings.maxRunningJobs, let next = queue.popFirst() {
            // nil: cancelled since the queue was read.
            if let job = try ledger.start(next) { launch(job, collection: collection, engine: engine) }
        }
        metrics.setIngestJobsQueued(queue.count)
    }

    /// Continues the jobs a stop, crash or kill left unfinished, in submission order under the
    /// limit: the oldest `ingest.max_running_jobs` run (where their last commit ended), the
    /// others wait queued — a job that was running when the service stopped waits again if the
    /// limit is now lower.
    func resumeUnfinished(collection: ImageLibrary, engine: EmbeddingEngine) throws {
        let ledger = IngestJobLedger(library: collection)
        try scheduling.withLock { stopping in
            for (position, job) in try ledger.unfinished().enumerated() where job.state != .queued {
                if position < settings.maxRunningJobs, !stopping {
                    logger.notice("resuming ingest job", metadata: ["job": "\(job.id)", "done": "\(job.done)", "total": "\(job.total)"])
                    launch(job, collection: collection, engine: engine)
                } else {
                    logger.notice("ingest job waits queued again", metadata: ["job": "\(job.id)", "done": "\(job.done)"])
                    try ledger.requeue(job.id)
                }
            }
            try startQueued(ledger, stopping: stopping, collection: collection, engine: engine)
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
                finished(id, collection: collection, engine: engine)
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

    /// A job's task ended (completed, failed, cancelled or stopped): its slot goes to the next
    /// queued job.
    private func finished(_ id: Int64, collection: ImageLibrary, engine: EmbeddingEngine) {
        let ledger = IngestJobLedger(library: collection)
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
        do {
            try scheduling.withLock { stopping in try startQueued(ledger, stopping: stopping, collection: collection, engine: engine) }
        } catch {
            // The queue stays in SQLite: the next job to end, or the next start, tries again.
            logger.error("could not start the next queued ingest job", metadata: ["error": "\(error)"])
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

    func status(_ id: Int64, collection: ImageLibrary, problems: Bool = true) throws -> IngestJobStatus {
        let ledger = IngestJobLedger(library: collection)
        guard let job = try ledger.job(id) else { throw Self.notFound(id) }
        let shown = problems ? try ledger.problems(id, limit: Self.problemsShown) : nil
        return view(job, queue: job.state == .queued ? try ledger.queue() : [], problems: shown)
    }

    func list(collection: ImageLibrary) throws -> [IngestJobStatus] {
        let ledger = IngestJobLedger(library: collection)
        let queue = try ledger.queue()
        return try ledger.jobs(limit: Self.listed).map { view($0, queue: queue, problems: nil) }
    }

    private func view(_ job: IngestJob, queue: [Int64], problems: [IngestJobProblem]?) -> IngestJobStatus {
        var estimate: (rate: Double?, eta: Double?) = (nil, nil)
        if !job.isFinished, var run = runs.withLock({ $0[job.id] }) {
            run.total = job.total
            estimate = Self.estimate(run, now: .now, done: job.done)
        }
        let position = job.state == .queued ? queue.firstIndex(of: job.id).map { $0 + 1 } : nil
        return IngestJobStatus(
            id: job.id, kind: job.kind.rawValue, state: job.state.rawValue, queue_position: position,
            recursive: job.kind == .folder ? job.recursive : nil,
            total: job.total, done: job.done, stored: job.stored, duplicates: job.duplicates, skipped: job.skipped, failed: job.failed,
            skipped_entries: job.skippedEntries, rate_per_second: estimate.rate, eta_seconds: job.isFinished ? 0 : estimate.eta,
            created_at: job.createdAt, started_at: job.startedAt, finished_at: job.finishedAt, error: job.error,
            problems: problems?.map { IngestJobStatus.Problem(source: $0.source, state: $0.state, reason: $0.reason) })
    }

    /// Cancels an unfinished job. A queued one never starts; a running one stops after the batch
    /// committing now (what it stored stays) and its slot goes to the next queued job once its
    /// task has stopped.
    func cancel(_ id: Int64, collection: ImageLibrary) throws -> IngestJobStatus {
        let ledger = IngestJobLedger(library: collection)
        guard try ledger.job(id) != nil else { throw Self.notFound(id) }
        try scheduling.withLock { _ in
            _ = try ledger.cancel(id)
            runs.withLock { $0[id] }?.task.cancel()
            metrics.setIngestJobsQueued(try ledger.queue().count)
        }
        return try status(id, collection: collection)
    }

    /// Stops every running job and waits for it, leaving each unfinished in SQLite (and the
    /// queued ones queued) so the next start resumes them (a service stopping; tests that
    /// restart one).
    func stopAll() async {
        scheduling.withLock { $0 = true }
        let tasks = runs.withLock { $0.values.map(\.task) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    static func notFound(_ id: Int64) -> APIError {
        APIError(status: 404, code: "ingest-job-not-found", title: "Unknown ingest job", detail: "no ingest job with id \(id)", field: "id")
    }
}
