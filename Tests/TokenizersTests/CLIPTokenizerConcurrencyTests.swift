import Foundation
import Testing

@testable import Tokenizers

/// One tokenizer shared by many concurrent requests: the merge cache is the only mutable state.
@Suite struct CLIPTokenizerConcurrencyTests {
    /// With the default budget the cache takes every word; with 32 KiB it fills mid-run, so
    /// threads race between hits, inserts and refusals.
    @Test(arguments: [CLIPTokenizer.defaultWordCacheByteBudget, 32 * 1024])
    func manyThreadsEncodingAtOnceGetTheSameIdsAsOneThread(cacheByteBudget: Int) throws {
        let directory = Fixtures.directory("clip")
        // A fresh tokenizer so the cache starts empty and threads race to fill it.
        let tokenizer = try CLIPTokenizer(directory: directory, cacheByteBudget: cacheByteBudget)
        let (_, goldens) = try SharedFixtures.clip.get()
        let workers = 16
        let wrongPerWorker = mismatchesEncodingOnThreads(workers, goldens: goldens) {
            tokenizer.encode($0)
        }
        #expect(wrongPerWorker.count == workers)
        #expect(wrongPerWorker.allSatisfy { $0 == 0 }, "texts differing from the goldens per worker: \(wrongPerWorker)")
        print("cache: \(tokenizer.cachedWordCount) words, \(tokenizer.cachedWordBytes) of \(cacheByteBudget) bytes")
        #expect(tokenizer.cachedWordBytes <= cacheByteBudget)
        #expect(tokenizer.cachedWordCount > 0)
        if cacheByteBudget < CLIPTokenizer.defaultWordCacheByteBudget {
            // It did fill: the run raced against a full cache too.
            let longest = CLIPTokenizer.longestCachedWordBytes
            #expect(tokenizer.cachedWordBytes > cacheByteBudget - WordCache.chargedBytes(wordBytes: longest, ids: longest))
        }
    }

    @Test func cacheStopsGrowingAtItsCapacity() throws {
        let tokenizer = try CLIPTokenizer(directory: Fixtures.directory("clip"), cacheCapacity: 3)
        let uncached = try CLIPTokenizer(directory: Fixtures.directory("clip"), cacheCapacity: 0)
        let text = "one two three four five six seven"
        #expect(tokenizer.encode(text) == uncached.encode(text))
        #expect(tokenizer.cachedWordCount == 3)
        #expect(uncached.cachedWordCount == 0)
    }
}
