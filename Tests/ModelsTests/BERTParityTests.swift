import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// `goldens.json` of Tests/Fixtures/bert/<shape>, written by training/fixtures/make_bert_fixtures.py
/// (transformers' BertModel in float32 on the saved F16 weights). Batches are right-padded.
struct BERTGoldenFile: Decodable {
    struct Batch: Decodable {
        let name: String
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let token_type_ids: [[Int]]
        let last_hidden_state_shape: [Int]
        let last_hidden_state_f32: String
        let vector_shape: [Int]
        let cls_f32: String
        let mean_f32: String
        let pooler_f32: String

        /// The real (mask = 1) prefix of each row: what the Swift encoder takes, unpadded.
        var unpaddedIDs: [[Int]] { zip(input_ids, attention_mask).map { ids, mask in Array(ids[..<mask.reduce(0, +)]) } }
        var unpaddedTypes: [[Int]] {
            zip(token_type_ids, attention_mask).map { types, mask in Array(types[..<mask.reduce(0, +)]) }
        }
    }

    let shape: String
    let hidden_size: Int
    let batches: [Batch]

    static func load(_ shape: String) throws -> BERTGoldenFile {
        try JSONDecoder().decode(BERTGoldenFile.self, from: Data(contentsOf: bertFixture(shape).appendingPathComponent("goldens.json")))
    }
}

func bertFixture(_ shape: String) -> URL {
    RepositoryPaths.fixture("bert/\(shape)")
}

/// Worst cosine and max abs over the rows of two [rows, width] matrices; one expectation per row.
@discardableResult
func expectRowsMatch(
    _ actual: [Float], _ expected: [Float], width: Int, what: String,
    minimumCosine: Double = 0.99999, maximumAbs: Double = 1e-4
) -> (cosine: Double, maxAbs: Double) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
    guard actual.count == expected.count, width > 0 else { return (0, .infinity) }
    var worstCosine = 1.0, worstAbs = 0.0
    for r in 0..<(actual.count / width) {
        let rows = (r * width)..<((r + 1) * width)
        let comparison = RowComparison(actual[rows], expected[rows])
        worstCosine = min(worstCosine, comparison.cosine)
        worstAbs = max(worstAbs, comparison.maxAbs)
        #expect(comparison.cosine >= minimumCosine && comparison.maxAbs <= maximumAbs, "\(what) row \(r): \(comparison.report)")
    }
    print("parity \(what): worst cosine \(worstCosine), worst max abs \(worstAbs)")
    return (worstCosine, worstAbs)
}

/// BERT vectors of the two random fixture models against transformers' `BertModel`.
@Suite(.kernelUnderTest) struct BERTParityTests {
    static let shapes = ["bert-tiny-a", "bert-tiny-b"]

    @Test(arguments: shapes) func vectorsMatchTransformers(shape: String) throws {
        let model = try BERTModel.load(directory: bertFixture(shape), options: .underTest)
        let golden = try BERTGoldenFile.load(shape)
        #expect(model.hiddenSize == golden.hidden_size)
        var worst: [String: (Double, Double)] = [:]
        for batch in golden.batches {
            let output = try model.encode(tokenIDs: batch.unpaddedIDs, tokenTypeIDs: batch.unpaddedTypes)
            let width = batch.vector_shape[1]
            #expect(output.cls.shape == batch.vector_shape)
            for (what, actual, encoded) in [
                ("cls", output.cls.scalars, batch.cls_f32), ("mean", output.mean.scalars, batch.mean_f32),
                ("pooler", output.pooler?.scalars ?? [], batch.pooler_f32),
            ] {
                let expected = try #require(decodeFloats(base64: encoded))
                let result = expectRowsMatch(actual, expected, width: width, what: "\(shape) \(batch.name) \(what)")
                let previous = worst[what] ?? (1, 0)
                worst[what] = (min(previous.0, result.cosine), max(previous.1, result.maxAbs))
            }
        }
        for (what, (cosine, maxAbs)) in worst.sorted(by: { $0.key < $1.key }) {
            print("parity \(shape) \(what) over all batches: worst cosine \(cosine), worst max abs \(maxAbs)")
        }
    }

    @Test(arguments: shapes) func lastHiddenStateMatchesTransformersAtRealPositions(shape: String) throws {
        let model = try BERTModel.load(directory: bertFixture(shape), options: .underTest)
        let golden = try BERTGoldenFile.load(shape)
        for batch in golden.batches {
            let output = try model.encode(tokenIDs: batch.unpaddedIDs, tokenTypeIDs: batch.unpaddedTypes)
            let padded = try #require(decodeFloats(base64: batch.last_hidden_state_f32))
            let (t, h) = (batch.last_hidden_state_shape[1], batch.last_hidden_state_shape[2])
            var expected: [Float] = []
            for (row, mask) in batch.attention_mask.enumerated() {
                let real = mask.reduce(0, +)
                expected += padded[(row * t * h)..<((row * t + real) * h)]
            }
            #expect(output.lastHiddenState.shape == [expected.count / h, h])
            expectRowsMatch(output.lastHiddenState.scalars, expected, width: h, what: "\(shape) \(batch.name) last_hidden_state")
        }
    }

    @Test(arguments: shapes) func batchedEqualsOneByOne(shape: String) throws {
        let model = try BERTModel.load(directory: bertFixture(shape), options: .underTest)
        let golden = try BERTGoldenFile.load(shape)
        let ids = golden.batches.flatMap(\.unpaddedIDs)
        let types = golden.batches.flatMap(\.unpaddedTypes)
        let batched = try model.encode(tokenIDs: ids, tokenTypeIDs: types)
        var worst: Float = 0
        for index in ids.indices {
            let single = try model.encode(tokenIDs: [ids[index]], tokenTypeIDs: [types[index]])
            let hiddenDiff = zip(single.lastHiddenState.scalars, batched.hiddenStates(ofSequence: index)).map { abs($0 - $1) }.max() ?? .infinity
            let poolerDiff = zip(single.pooler?.scalars ?? [], batched.pooler?.row(index) ?? []).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, hiddenDiff, poolerDiff)
            // Not bit-equal: OpenBLAS picks its kernel blocking by row count, so a GEMM over 10
            // sequences rounds differently from one over 1; a few float ulps of O(1) values.
            #expect(hiddenDiff <= 1e-5 && poolerDiff <= 1e-5, "sequence \(index) (length \(ids[index].count)): hidden \(hiddenDiff), pooler \(poolerDiff)")
        }
        print("\(shape) batched vs one by one: worst max abs \(worst) over \(ids.count) sequences")
    }

    @Test func tokenTypesDefaultToZero() throws {
        let model = try BERTModel.load(directory: bertFixture("bert-tiny-a"), options: .underTest)
        let ids = [[101, 500, 600, 102], [101, 7, 102]]
        let implicit = try model.encode(tokenIDs: ids)
        let explicit = try model.encode(tokenIDs: ids, tokenTypeIDs: ids.map { [Int](repeating: 0, count: $0.count) })
        #expect(implicit.lastHiddenState == explicit.lastHiddenState)
        let segmentOne = try model.encode(tokenIDs: ids, tokenTypeIDs: ids.map { [Int](repeating: 1, count: $0.count) })
        #expect(implicit.lastHiddenState != segmentOne.lastHiddenState)
    }

    @Test func invalidInputsAreRejectedWithReasons() throws {
        let model = try BERTModel.load(directory: bertFixture("bert-tiny-a"), options: .underTest)
        #expect(throws: ModelError.invalidInput("sequence 1 has 0 tokens; must be 1...64")) {
            try model.encode(tokenIDs: [[101, 102], []])
        }
        #expect(throws: ModelError.invalidInput("sequence 0 has token id 2000, outside the vocabulary 0..<2000")) {
            try model.encode(tokenIDs: [[101, 2000, 102]])
        }
        #expect(throws: ModelError.invalidInput("sequence 0 has 65 tokens; must be 1...64")) {
            try model.encode(tokenIDs: [[Int](repeating: 5, count: 65)])
        }
        #expect(throws: ModelError.invalidInput("sequence 0 has token type id 2, outside 0..<2 (type_vocab_size)")) {
            try model.encode(tokenIDs: [[101, 102]], tokenTypeIDs: [[0, 2]])
        }
        #expect(throws: ModelError.invalidInput("sequence 0 has 2 token ids but 1 token type ids")) {
            try model.encode(tokenIDs: [[101, 102]], tokenTypeIDs: [[0]])
        }
        #expect(throws: ModelError.invalidInput("2 sequences of token ids but 1 of token type ids")) {
            try model.encode(tokenIDs: [[101, 102], [101]], tokenTypeIDs: [[0, 0]])
        }
        let empty = try model.encode(tokenIDs: [])
        #expect(empty.cls.shape == [0, 64] && empty.lastHiddenState.shape == [0, 64])
    }
}
