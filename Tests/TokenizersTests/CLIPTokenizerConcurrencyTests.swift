import Foundation
import Testing

@testable import Tokenizers

/// One tokenizer shared by many concurrent requests: the merge cache is the only mutable state.
@Suite struct CLIPTokenizerConcurrencyTests {
    @Test func manyTasksEncodingAtOnceGetTheSameIdsAsOneThread() async throws {
        let directory = try Fixtures.directory("clip")
        // A fresh tokenizer so the cache starts empty and tasks race to fill it.
        let tokenizer = try CLIPTokenizer(directory: directory)
        let (_, goldens) = try SharedFixtures.clip.get()
        let texts = goldens.cases.map(\.text)
        let expected = goldens.cases.map { goldens.expected[$0.id] ?? [] }

        let workers = 16
        let results = await withTaskGroup(of: (Int, [[Int]]).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    // Each worker starts at a different offset so different words collide in the cache.
                    let offset = worker * texts.count / workers
                    var ids = [[Int]](repeating: [], count: texts.count)
                    for step in 0..<texts.count {
                        let index = (offset + step) % texts.count
                        ids[index] = tokenizer.encode(texts[index])
                    }
                    return (worker, ids)
                }
            }
            var all: [(Int, [[Int]])] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == workers)
        for (worker, ids) in results {
            let wrong = zip(ids, expected).filter { $0.0 != $0.1 }.count
            #expect(wrong == 0, "worker \(worker): \(wrong) of \(texts.count) texts differ from the goldens")
        }
    }

    @Test func cacheStopsGrowingAtItsCapacity() throws {
        let tokenizer = try CLIPTokenizer(directory: try Fixtures.directory("clip"), cacheCapacity: 3)
        let uncached = try CLIPTokenizer(directory: try Fixtures.directory("clip"), cacheCapacity: 0)
        let text = "one two three four five six seven"
        #expect(tokenizer.encode(text) == uncached.encode(text))
        #expect(tokenizer.cachedWordCount == 3)
        #expect(uncached.cachedWordCount == 0)
    }
}
