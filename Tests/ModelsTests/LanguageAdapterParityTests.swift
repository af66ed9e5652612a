import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// `goldens.json` of Tests/Fixtures/language-adapter/<name>, written by
/// training/fixtures/make_bert_fixtures.py: the PyTorch `LanguageAdapter` re-loaded from the
/// exported checkpoint, on bert-tiny-a's hidden states (right-padded batches).
struct LanguageAdapterGoldenFile: Decodable {
    struct Batch: Decodable {
        let name: String
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let token_type_ids: [[Int]]
        let hidden_states_shape: [Int]
        let hidden_states_f32: String
        let output_shape: [Int]
        let output_f32: String

        var lengths: [Int] { attention_mask.map { $0.reduce(0, +) } }

        /// The real rows of the padded [B, T, H] hidden states, packed: [Σ lengths, H].
        func packedHiddenStates() throws -> Tensor {
            let padded = try #require(decodeFloats(base64: hidden_states_f32))
            let (t, h) = (hidden_states_shape[1], hidden_states_shape[2])
            var rows: [Float] = []
            for (row, length) in lengths.enumerated() { rows += padded[(row * t * h)..<((row * t + length) * h)] }
            return try Tensor(shape: [rows.count / h, h], scalars: rows)
        }
    }

    let adapter: String
    let output_size: Int
    let batches: [Batch]

    static func load(_ name: String) throws -> LanguageAdapterGoldenFile {
        try JSONDecoder().decode(
            LanguageAdapterGoldenFile.self, from: Data(contentsOf: languageAdapterFixture(name).appendingPathComponent("goldens.json")))
    }
}

func languageAdapterFixture(_ name: String) -> URL {
    RepositoryPaths.fixture("language-adapter/\(name)")
}

@Suite(.kernelUnderTest) struct LanguageAdapterParityTests {
    static let adapters = ["zh-tiny-a-n0-mean", "zh-tiny-a-n1-pre-cls", "zh-tiny-a-n2-post-mean", "zh-tiny-a-n2-pre-mean-finalln"]

    /// bert-tiny-a with the CLIP the adapter names (the ids and dims in its manifest are the fixtures').
    static func load(_ name: String) throws -> (LanguageAdapter, LanguageAdapterGoldenFile) {
        let golden = try LanguageAdapterGoldenFile.load(name)
        let manifest = try LanguageAdapterManifest.load(directory: languageAdapterFixture(name))
        let host = LanguageAdapterHost(
            baseEncoderID: "bert-tiny-a", baseEncoderHiddenSize: 64, clipID: manifest.clip.id, clipProjectionDim: golden.output_size)
        return (try LanguageAdapter.load(directory: languageAdapterFixture(name), host: host, options: .underTest), golden)
    }

    @Test(arguments: adapters) func outputsMatchThePyTorchModule(name: String) throws {
        let (adapter, golden) = try Self.load(name)
        var worst = (cosine: 1.0, maxAbs: 0.0)
        for batch in golden.batches {
            let output = try adapter.encode(hiddenStates: batch.packedHiddenStates(), sequenceLengths: batch.lengths)
            #expect(output.shape == batch.output_shape)
            let expected = try #require(decodeFloats(base64: batch.output_f32))
            let result = expectRowsMatch(output.scalars, expected, width: golden.output_size, what: "\(name) \(batch.name)")
            worst = (min(worst.cosine, result.cosine), max(worst.maxAbs, result.maxAbs))
        }
        print("parity \(name) over all batches: worst cosine \(worst.cosine), worst max abs \(worst.maxAbs)")
    }

    /// Swift BERT → Swift adapter against the same goldens: the whole zh path, no Python inputs.
    @Test(arguments: adapters) func swiftBERTThenAdapterMatchesPyTorch(name: String) throws {
        let (adapter, golden) = try Self.load(name)
        let bert = try BERTModel.load(directory: bertFixture("bert-tiny-a"), options: .underTest)
        var worst = (cosine: 1.0, maxAbs: 0.0)
        for batch in golden.batches {
            let ids = zip(batch.input_ids, batch.lengths).map { Array($0[..<$1]) }
            let types = zip(batch.token_type_ids, batch.lengths).map { Array($0[..<$1]) }
            let output = try adapter.encode(bert.encode(tokenIDs: ids, tokenTypeIDs: types))
            let expected = try #require(decodeFloats(base64: batch.output_f32))
            let result = expectRowsMatch(output.scalars, expected, width: golden.output_size, what: "\(name) via Swift BERT \(batch.name)")
            worst = (min(worst.cosine, result.cosine), max(worst.maxAbs, result.maxAbs))
        }
        print("parity \(name) via Swift BERT over all batches: worst cosine \(worst.cosine), worst max abs \(worst.maxAbs)")
    }

    @Test(arguments: adapters) func batchedEqualsOneByOne(name: String) throws {
        let (adapter, golden) = try Self.load(name)
        var worst: Float = 0
        for batch in golden.batches {
            let hidden = try batch.packedHiddenStates()
            let batched = try adapter.encode(hiddenStates: hidden, sequenceLengths: batch.lengths)
            var start = 0
            for (index, length) in batch.lengths.enumerated() {
                let rows = Array(hidden.scalars[(start * 64)..<((start + length) * 64)])
                start += length
                let single = try adapter.encode(hiddenStates: Tensor(shape: [length, 64], scalars: rows), sequenceLengths: [length])
                let maxAbs = zip(single.scalars, batched.row(index)).map { abs($0 - $1) }.max() ?? .infinity
                worst = max(worst, maxAbs)
                // Not bit-equal: OpenBLAS's blocking depends on the row count (see BERTParityTests).
                #expect(maxAbs <= 1e-5, "\(name) \(batch.name) sequence \(index): batched vs alone max abs \(maxAbs)")
            }
        }
        print("\(name) batched vs one by one: worst max abs \(worst)")
    }

    /// One BERT and one adapter shared by many concurrent callers (as the engine shares them):
    /// every call gives what a lone call gives.
    @Test func concurrentCallsAgreeWithSerialOnes() async throws {
        let (adapter, golden) = try Self.load("zh-tiny-a-n2-pre-mean-finalln")
        let bert = try BERTModel.load(directory: bertFixture("bert-tiny-a"), options: .underTest)
        let batches = golden.batches.map { batch in zip(batch.input_ids, batch.lengths).map { Array($0[..<$1]) } }
        let serial = try batches.map { try adapter.encode(bert.encode(tokenIDs: $0)) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Tensor).self) { group in
            for round in 0..<16 {
                group.addTask {
                    let index = round % batches.count
                    return (index, try adapter.encode(bert.encode(tokenIDs: batches[index])))
                }
            }
            var results: [(Int, Tensor)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == 16)
        for (index, output) in concurrent {
            // Same shapes, same kernels: equal up to any thread-count-dependent BLAS split.
            let maxAbs = zip(output.scalars, serial[index].scalars).map { abs($0 - $1) }.max() ?? .infinity
            #expect(output.shape == serial[index].shape && maxAbs <= 1e-6, "batch \(index) concurrent vs serial max abs \(maxAbs)")
        }
    }

    @Test func manifestIsReadFully() throws {
        let manifest = try LanguageAdapterManifest.load(directory: languageAdapterFixture("zh-tiny-a-n1-pre-cls"))
        #expect(manifest.name == "zh-tiny-a-n1-pre-cls" && manifest.version == "1.0.0" && manifest.language == "zh")
        #expect(manifest.baseEncoder == .init(id: "bert-tiny-a", modelType: "bert", hiddenSize: 64))
        #expect(manifest.clip == .init(id: "tiny-quickgelu-p8", projectionDim: 32))
        let a = manifest.architecture
        #expect(a.adapterWidth == 32 && a.numLayers == 1 && a.numHeads == 4 && a.intermediateSize == 80)
        #expect(a.layerNormEps == 1e-5 && a.normPosition == .pre && a.pooling == .cls && a.finalLayerNorm)
        #expect(manifest.weights.dtype == .f16 && manifest.weights.file == "adapter.safetensors")
        let (adapter, _) = try Self.load("zh-tiny-a-n1-pre-cls")
        #expect(adapter.weights.layers.count == 1 && adapter.weights.finalLayerNorm != nil)
        #expect(adapter.inputSize == 64 && adapter.outputSize == 32)
    }

    @Test func invalidInputsAreRejectedWithReasons() throws {
        let (adapter, _) = try Self.load("zh-tiny-a-n2-post-mean")
        #expect(throws: ModelError.invalidInput("sequence 1 has 0 tokens; every sequence needs at least one")) {
            try adapter.encode(hiddenStates: Tensor(zeros: [3, 64]), sequenceLengths: [3, 0])
        }
        #expect(throws: ModelError.invalidInput(
            "hidden states have shape [3, 48]; the adapter needs [3, 64] (Σ sequence lengths, hidden size)")) {
            try adapter.encode(hiddenStates: Tensor(zeros: [3, 48]), sequenceLengths: [3])
        }
        #expect(try adapter.encode(hiddenStates: Tensor(zeros: [0, 64]), sequenceLengths: []).shape == [0, 32])
    }
}
