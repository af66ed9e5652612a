import Foundation
import Testing

@testable import Tokenizers

/// One tokenizer shared by many concurrent requests. It holds no mutable state, so every thread
/// must get the goldens' ids.
@Suite struct UnigramTokenizerConcurrencyTests {
    @Test func manyThreadsEncodingAtOnceGetTheSameIdsAsOneThread() throws {
        let (tokenizer, goldens) = try SharedFixtures.unigram.get()
        let workers = 16
        let wrongPerWorker = mismatchesEncodingOnThreads(workers, goldens: goldens) {
            tokenizer.encode($0)
        }
        #expect(wrongPerWorker.count == workers)
        #expect(wrongPerWorker.allSatisfy { $0 == 0 }, "texts differing from the goldens per worker: \(wrongPerWorker)")
    }
}
