import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// Searches from many threads while another thread ingests and deletes: no crash, every hit is
/// a live row of the store, scores are sorted, and items stored before the searches began are
/// always found (their own vector is their top hit).
@Suite struct ConcurrentSearchTests {
    @Test func searchesDuringIngestionAreConsistent() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let space = try EmbeddingSpace(modelID: "concurrent", dimension: 24)
        let store = try ImageStore(directory: dir, space: space, settings: IndexSettings(checkpointEveryRows: 300))
        let seeded = makeItems(100, dimension: 24, seed: 20, prefix: "seed")
        let seededIDs = try store.add(seeded).map(\.id)
        let incoming = makeItems(1_500, dimension: 24, seed: 21, prefix: "new")

        let log = SharedLog()
        let report = log.report
        let writerDone = DispatchSemaphore(value: 0)
        let searchesDone = DispatchGroup()
        let running = ManagedAtomicFlag()

        Thread.detachNewThread {
            do {
                for start in stride(from: 0, to: incoming.count, by: 50) {
                    let ids = try store.add(Array(incoming[start..<min(start + 50, incoming.count)])).map(\.id)
                    try store.delete(ids: [ids[0]])  // deletes run concurrently with searches too
                }
            } catch { report("writer: \(error)") }
            running.clear()
            writerDone.signal()
        }
        for thread in 0..<4 {
            searchesDone.enter()
            Thread.detachNewThread {
                var random = TestVectors(seed: UInt64(100 + thread))
                var n = 0
                repeat {
                    let pick = Int(random.next() % UInt64(seeded.count))
                    do {
                        let hits = try store.search(seeded[pick].embedding, k: 10)
                        if hits.first?.item.id != seededIDs[pick] { report("thread \(thread): top hit \(String(describing: hits.first?.item.id)) for seed \(pick)") }
                        if zip(hits, hits.dropFirst()).contains(where: { $0.score < $1.score }) { report("unsorted scores") }
                        if hits.count != 10 { report("\(hits.count) hits") }
                        let filtered = try store.search(seeded[pick].embedding, k: 5, filter: ["missing-key": .string("x")])
                        if !filtered.isEmpty { report("filter matched nothing but returned \(filtered.count)") }
                    } catch { report("thread \(thread): \(error)") }
                    n += 1
                } while running.isSet
                log.count(n)
                searchesDone.leave()
            }
        }
        writerDone.wait()
        searchesDone.wait()
        let problems = log.problems
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let totalSearches = log.searches
        print("concurrent: \(totalSearches) searches during ingestion of \(incoming.count) items")
        #expect(totalSearches >= 4 * 10)
        // After the dust settles: every live row is indexed exactly once.
        #expect(try store.indexedIDs().count == store.itemCount())
        #expect(try store.itemCount() == 100 + 1_500 - 30)
        try store.close()
    }
}

/// A flag set until cleared, readable from any thread.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = true
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func clear() { lock.lock(); value = false; lock.unlock() }
}

/// Problems and search counts reported from several threads.
final class SharedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []
    private var total = 0
    var problems: [String] { lock.lock(); defer { lock.unlock() }; return entries }
    var searches: Int { lock.lock(); defer { lock.unlock() }; return total }
    @Sendable func report(_ problem: String) { lock.lock(); entries.append(problem); lock.unlock() }
    func count(_ n: Int) { lock.lock(); total += n; lock.unlock() }
}
