import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Retrieval

/// Background ingest jobs in Retrieval: a job stopped mid-way (its task cancelled while a batch
/// embeds) resumes on a reopened library and ends with every image stored exactly once.
@Suite struct IngestJobTests {
    /// PNGHistogramEmbedder that, at its `pauseAt`-th call, says so and waits to be released.
    final class PausingEmbedder: ImageEmbedder, Sendable {
        let space: EmbeddingSpace
        let pauseAt: Int
        let reached = Gate("the embedder reached its pause")
        let release = Gate("the test released the embedder")
        private let calls = Mutex(0)

        init(space: EmbeddingSpace, pauseAt: Int) { (self.space, self.pauseAt) = (space, pauseAt) }

        func embed(images: [Data]) async throws -> [[Float]] {
            let call = calls.withLock { $0 += 1; return $0 }
            if call == pauseAt {
                reached.open()
                try await release.wait()
            }
            return try await PNGHistogramEmbedder(space: space).embed(images: images)
        }
    }

    @Test func aJobStoppedMidwayResumesAndStoresEachImageOnce() async throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let photos = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("子"), withIntermediateDirectories: true)
        for i in 0..<40 {
            let name = i % 3 == 0 ? "子/照片 \(i).png" : "img \(i)%.png"
            try makePNG(width: 3 + i, height: 2, seed: UInt8(i + 1)).write(to: photos.appendingPathComponent(name))
        }
        // Same bytes under two names: one item, the other a duplicate.
        try makePNG(width: 3, height: 2, seed: 1).write(to: photos.appendingPathComponent("copy.png"))
        try Data("text".utf8).write(to: photos.appendingPathComponent("notes.png"))
        let space = try EmbeddingSpace(modelID: "test-clip", dimension: 16)
        let directory = DataDirectory(root: dir.appendingPathComponent("data"))
        let folder = try IngestFolder(path: photos.path, allowedRoots: [photos.path], maxFileBytes: 1 << 20)

        var library = try ImageLibrary(directory: directory, current: space)
        var ledger = IngestJobLedger(library: library)
        let job = try ledger.createFolderJob(root: folder.root, recursive: true)
        let pausing = PausingEmbedder(space: space, pauseAt: 13)
        let runner = IngestJobRunner(ledger: ledger, source: .folder(folder), embedder: pausing, batchSize: 4, maxFiles: 1000)
        let run = Task { await runner.run(job) }
        try await pausing.reached.wait()
        run.cancel()
        pausing.release.open()
        await run.value

        let stopped = try #require(try ledger.job(job.id))
        #expect(stopped.state == .running)
        #expect(stopped.total == 42)
        #expect(stopped.done > 0 && stopped.done < 42, "\(stopped)")
        #expect(try library.store.itemCount() == stopped.stored)
        try library.close()

        library = try ImageLibrary(directory: directory, current: space)
        ledger = IngestJobLedger(library: library)
        let unfinished = try ledger.unfinished()
        #expect(unfinished.map(\.id) == [job.id])
        let resumed = IngestJobRunner(
            ledger: ledger, source: .folder(folder), embedder: PNGHistogramEmbedder(space: space), batchSize: 4, maxFiles: 1000)
        await resumed.run(try #require(unfinished.first))

        let finished = try #require(try ledger.job(job.id))
        #expect(finished.state == .completed)
        #expect(finished.stored == 40 && finished.duplicates == 1 && finished.skipped == 1 && finished.failed == 0, "\(finished)")
        #expect(try library.store.itemCount() == 40)
        let outcomes = try ledger.outcomes(job.id)
        let storedIDs = outcomes.filter { $0.state == "stored" }.compactMap(\.itemID)
        #expect(Set(storedIDs).count == 40)
        let items = try library.store.items(after: 0, limit: 100)
        #expect(Set(items.map(\.sha256)).count == items.count)
        #expect(Set(items.compactMap(\.path)).count == 40)
        #expect(try ledger.problems(job.id, limit: 10).map(\.source) == ["notes.png"])
        try library.close()
    }

    /// PNGHistogramEmbedder that records the most calls it had running at once.
    final class ConcurrencyCountingEmbedder: ImageEmbedder, Sendable {
        let space: EmbeddingSpace
        private let counts = Mutex((running: 0, most: 0))
        var most: Int { counts.withLock { $0.most } }

        init(space: EmbeddingSpace) { self.space = space }

        func embed(images: [Data]) async throws -> [[Float]] {
            counts.withLock { $0.running += 1; $0.most = max($0.most, $0.running) }
            defer { counts.withLock { $0.running -= 1 } }
            try await Task.sleep(for: .milliseconds(1))
            return try await PNGHistogramEmbedder(space: space).embed(images: images)
        }
    }

    @Test func aJobKeepsAtMostItsImagesInFlight() async throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let photos = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for i in 0..<48 { try makePNG(width: 3 + i, height: 2, seed: UInt8(i + 1)).write(to: photos.appendingPathComponent("\(i).png")) }
        let space = try EmbeddingSpace(modelID: "test-clip", dimension: 16)
        let library = try ImageLibrary(directory: DataDirectory(root: dir.appendingPathComponent("data")), current: space)
        let ledger = IngestJobLedger(library: library)
        let folder = try IngestFolder(path: photos.path, allowedRoots: [photos.path], maxFileBytes: 1 << 20)
        let embedder = ConcurrencyCountingEmbedder(space: space)
        let runner = IngestJobRunner(ledger: ledger, source: .folder(folder), embedder: embedder, batchSize: 8, maxFiles: 100, imagesInFlight: 4)
        await runner.run(try ledger.createFolderJob(root: folder.root, recursive: true))
        #expect(try ledger.job(1)?.stored == 48)
        #expect(embedder.most <= 4, "\(embedder.most) embeds ran at once")
        try library.close()
    }

    @Test func aCancelledJobStaysCancelled() async throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let space = try EmbeddingSpace(modelID: "test-clip", dimension: 16)
        let library = try ImageLibrary(directory: DataDirectory(root: dir), current: space)
        let ledger = IngestJobLedger(library: library)
        let job = try ledger.createURLJob(urls: ["https://example.com/a.png"])
        #expect(try ledger.cancel(job.id))
        #expect(try ledger.job(job.id)?.state == .cancelled)
        #expect(try !ledger.cancel(job.id))
        #expect(try ledger.unfinished().isEmpty)
        try library.close()
    }
}
