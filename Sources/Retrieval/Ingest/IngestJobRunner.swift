import Foundation
import Imaging

/// Runs one ingest job to its end from wherever it stopped: lists a folder job first, then takes
/// the pending work items in order, a batch at a time, with two batches in flight (the next is
/// read and embedded while the previous commits). Each batch's rows and its work items' outcomes
/// commit in one transaction, so after a kill every item counted done is stored exactly once and
/// every other item is still pending. Cancellation (of the task) stops between batches and
/// leaves the job's state to whoever cancelled it.
public struct IngestJobRunner: Sendable {
    /// How a work item's bytes are read and where they are kept.
    public enum Source: Sendable {
        case folder(IngestFolder)
        /// Fetches one URL (the service's `image_url` rules); throws with the reason.
        case urls(@Sendable (String) async throws -> Data)
    }

    public let ledger: IngestJobLedger
    public let source: Source
    public let embedder: any ImageEmbedder
    public let batchSize: Int
    /// Most files a folder listing may hold.
    public let maxFiles: Int
    /// Images being decoded or embedded at once, across both batches in flight (see
    /// `ImageLibrary.prepare`): the service passes its request-work threads' count.
    public let imagesInFlight: Int

    public init(
        ledger: IngestJobLedger, source: Source, embedder: any ImageEmbedder, batchSize: Int, maxFiles: Int, imagesInFlight: Int = .max
    ) {
        (self.ledger, self.source, self.embedder, self.batchSize, self.maxFiles) = (ledger, source, embedder, max(1, batchSize), maxFiles)
        self.imagesInFlight = imagesInFlight
    }

    /// `committed(n)` after each batch with the number of items it finished. A job still queued
    /// is taken out of the queue first (the service's scheduler does that itself, to answer
    /// with the state it started in); one cancelled while queued does not run.
    public func run(_ job: IngestJob, committed: @escaping @Sendable (Int) -> Void = { _ in }) async {
        do {
            var job = job
            if job.state == .queued {
                guard let started = try ledger.start(job.id) else { return }
                job = started
            }
            if job.state == .listing, case .folder(let folder) = source {
                let listing = try folder.list(recursive: job.recursive, limit: maxFiles)
                try ledger.setWorkList(job.id, sources: listing.files, skippedEntries: listing.skippedEntries)
            }
            try await process(job.id, committed: committed)
            if Task.isCancelled { return }
            try ledger.setState(job.id, .completed, onlyIf: [.running])
        } catch {
            if Task.isCancelled { return }
            try? ledger.setState(job.id, .failed, error: "\(error)", onlyIf: [.listing, .running])
        }
    }

    private struct Batch: Sendable {
        let items: [IngestJobItem]
        /// Per item: an outcome decided before embedding (skipped or failed), else the offset of
        /// its input in `prepared`.
        let early: [Int: (state: String, reason: String)]
        let prepared: PreparedBatch
    }

    private func process(_ id: Int64, committed: @escaping @Sendable (Int) -> Void) async throws {
        var cursor: Int64 = -1
        var inFlight: Task<Batch, any Error>?
        defer { inFlight?.cancel() }
        while !Task.isCancelled {
            let next = try ledger.pending(id, after: cursor, limit: batchSize)
            var started: Task<Batch, any Error>?
            if let last = next.last {
                cursor = last.seq
                started = Task { try await prepare(next) }
            }
            if let previous = inFlight {
                // A stop must not wait for a batch still embedding: it is dropped, its items stay pending.
                let batch = try await withTaskCancellationHandler { try await previous.value } onCancel: { previous.cancel() }
                if Task.isCancelled { break }
                try commit(batch, job: id)
                committed(batch.items.count)
            }
            inFlight = started
            if started == nil { break }
        }
    }

    private func prepare(_ items: [IngestJobItem]) async throws -> Batch {
        let read = await withTaskGroup(of: (Int, Result<Data, any Error>).self) { group in
            for (offset, item) in items.enumerated() {
                group.addTask {
                    do { return (offset, .success(try await bytes(of: item.source))) } catch { return (offset, .failure(error)) }
                }
            }
            var out: [Int: Result<Data, any Error>] = [:]
            for await (offset, result) in group { out[offset] = result }
            return out
        }
        var early: [Int: (String, String)] = [:]
        var inputs: [IngestInput] = []
        for (offset, item) in items.enumerated() {
            switch read[offset] {
            case .success(let data)?:
                guard (try? ImageDecoder.format(of: data.prefix(16))) != nil else {
                    early[offset] = ("skipped", "not a JPEG, PNG or WebP file")
                    continue
                }
                inputs.append(IngestInput(bytes: data, location: location(of: item.source), path: item.source))
            case .failure(let error as IngestFolder.ReadRefusal)?: early[offset] = ("skipped", error.description)
            case .failure(let error)?: early[offset] = ("failed", "\(error)")
            case nil: early[offset] = ("failed", "not read")
            }
        }
        // Two batches are in flight: each takes half.
        let prepared = try await ledger.library.prepare(inputs, embedder: embedder, inFlight: imagesInFlight == .max ? .max : max(1, imagesInFlight / 2))
        return Batch(items: items, early: early, prepared: prepared)
    }

    private func bytes(of source: String) async throws -> Data {
        switch self.source {
        case .folder(let folder): try folder.read(source)
        case .urls(let fetch): try await fetch(source)
        }
    }

    private func location(of source: String) -> IngestInput.Location {
        switch self.source {
        case .folder(let folder): .file(absolutePath: folder.absolutePath(source))
        case .urls: .copy
        }
    }

    private func commit(_ batch: Batch, job: Int64) throws {
        try ledger.library.commit(batch.prepared) { db, outcomes in
            var next = outcomes.makeIterator()
            for (offset, item) in batch.items.enumerated() {
                if let (state, reason) = batch.early[offset] {
                    try IngestJobRecords.finish(db, job: job, seq: item.seq, state: state, itemID: nil, reason: reason)
                    continue
                }
                switch next.next() {
                case .stored(let itemID)?: try IngestJobRecords.finish(db, job: job, seq: item.seq, state: "stored", itemID: itemID, reason: nil)
                case .duplicate(let itemID)?: try IngestJobRecords.finish(db, job: job, seq: item.seq, state: "duplicate", itemID: itemID, reason: nil)
                case .failed(let reason)?: try IngestJobRecords.finish(db, job: job, seq: item.seq, state: "failed", itemID: nil, reason: reason)
                case nil: throw StoreError.invalidArgument("a batch lost an outcome")
                }
            }
        }
    }
}
