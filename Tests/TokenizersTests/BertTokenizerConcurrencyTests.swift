import Foundation
import Testing

@testable import Tokenizers

/// One BERT tokenizer shared by many concurrent requests gives the same ids as one thread.
@Suite struct BertTokenizerConcurrencyTests {
    @Test func manyTasksEncodingAtOnceGetTheSameIdsAsOneThread() async throws {
        let loaded = try SharedFixtures.bert.get()
        let tokenizer = loaded.lower
        let texts = loaded.lowerGoldens.cases.map(\.text)
        let expected = texts.map { tokenizer.encode($0) }

        let workers = 16
        let wrongPerWorker = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let offset = worker * texts.count / workers
                    var wrong = 0
                    for step in 0..<texts.count {
                        let index = (offset + step) % texts.count
                        if tokenizer.encode(texts[index]) != expected[index] { wrong += 1 }
                    }
                    return wrong
                }
            }
            var all: [Int] = []
            for await wrong in group { all.append(wrong) }
            return all
        }
        #expect(wrongPerWorker.count == workers)
        #expect(wrongPerWorker.allSatisfy { $0 == 0 }, "texts differing per worker: \(wrongPerWorker)")
    }
}
