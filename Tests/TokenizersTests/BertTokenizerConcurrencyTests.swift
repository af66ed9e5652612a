import Foundation
import Testing

@testable import Tokenizers

/// One BERT tokenizer shared by many concurrent requests gives the same ids as one thread.
@Suite struct BertTokenizerConcurrencyTests {
    @Test func manyThreadsEncodingAtOnceGetTheSameIdsAsOneThread() throws {
        let loaded = try SharedFixtures.bert.get()
        let tokenizer = loaded.lower
        let texts = loaded.lowerGoldens.cases.map(\.text)
        let expected = texts.map { tokenizer.encode($0) }

        let workers = 16
        let wrongPerWorker = mismatchesEncodingOnThreads(workers, texts: texts, expected: expected) {
            tokenizer.encode($0)
        }
        #expect(wrongPerWorker.count == workers)
        #expect(wrongPerWorker.allSatisfy { $0 == 0 }, "texts differing per worker: \(wrongPerWorker)")
    }
}
