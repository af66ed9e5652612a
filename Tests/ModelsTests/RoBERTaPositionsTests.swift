import Foundation
import TestSupport
import Testing
@testable import Models

/// RoBERTa-type configurations (`roberta`, `xlm-roberta`) in the BERT model: positions counted
/// after the padding id, the sequence limit that leaves, and the checkpoint layouts found by prefix.
@Suite struct RoBERTaPositionsTests {
    @Test func xlmRobertaConfigTakesItsOwnDefaults() throws {
        let c = try BERTConfiguration(json: Data(#"{"model_type": "xlm-roberta", "type_vocab_size": 1, "layer_norm_eps": 1e-5}"#.utf8))
        #expect(c.positions == .afterPadding && c.padTokenID == 1 && c.typeVocabSize == 1 && c.layerNormEps == 1e-5)
        // 512 rows, the first pad_token_id + 1 = 2 never read by a real token.
        #expect(c.maxPositionEmbeddings == 512 && c.maxSequenceLength == 510)
        let roberta = try BERTConfiguration(json: Data(#"{"model_type": "roberta", "pad_token_id": 0}"#.utf8))
        #expect(roberta.positions == .afterPadding && roberta.maxSequenceLength == 511)
        let bert = try BERTConfiguration(json: Data(#"{"model_type": "bert"}"#.utf8))
        #expect(bert.positions == .fromZero && bert.maxSequenceLength == 512)
    }

    @Test func aTableWithNoRowAfterThePaddingIdIsRefused() {
        #expect(throws: ModelError.invalidConfig(
            key: "max_position_embeddings", reason: "2 leaves no position after pad_token_id 1 (positions start at pad_token_id + 1)")) {
            try BERTConfiguration(json: Data(#"{"model_type": "xlm-roberta", "max_position_embeddings": 2}"#.utf8))
        }
        #expect(throws: ModelError.invalidConfig(key: "model_type", reason: #"expected "bert" or "roberta" or "xlm-roberta", got "gpt2""#)) {
            try BERTConfiguration(json: Data(#"{"model_type": "gpt2"}"#.utf8))
        }
    }

    /// transformers' `create_position_ids_from_input_ids`: a pad token reads row pad_token_id and
    /// does not advance the count.
    @Test func positionRowsFollowCreatePositionIDs() {
        #expect(BERTPositions.afterPadding.rows(of: [0, 5, 9, 2], padTokenID: 1) == [2, 3, 4, 5])
        #expect(BERTPositions.afterPadding.rows(of: [0, 1, 9, 1, 2], padTokenID: 1) == [2, 1, 3, 1, 4])
        #expect(BERTPositions.fromZero.rows(of: [101, 0, 102], padTokenID: 0) == [0, 1, 2])
    }

    @Test func sequencesBeyondTheUsableLengthAreRefused() throws {
        let encoder = try PublishedTextEncoder.load(directory: publishedFixture("mclip-type"), options: .underTest)
        #expect(encoder.maxPositions == 64 && encoder.model.configuration.maxPositionEmbeddings == 66)
        _ = try encoder.encode(tokenIDs: [[0] + [Int](repeating: 5, count: 62) + [2]])
        #expect(throws: ModelError.invalidInput("sequence 0 has 65 tokens; must be 1...64")) {
            try encoder.encode(tokenIDs: [[0] + [Int](repeating: 5, count: 63) + [2]])
        }
    }

    @Test func everyPublishedPrefixIsFoundAndTwoEncodersAreRefused() throws {
        for (shape, prefix) in [("taiyi-type", "bert."), ("mclip-type", "transformer."), ("chinese-clip-type", "text_model.")] {
            let file = try SafeTensorsFile(path: publishedFixture(shape).appendingPathComponent("model.safetensors").path)
            #expect(try BERTCheckpoint(file: file).prefix == prefix, "\(shape)")
        }
        let both = try editedModelCopy(of: publishedFixture("taiyi-type"), tensors: { tensors in
            guard let embeddings = tensors.first(where: { $0.name == "bert.embeddings.word_embeddings.weight" }) else { return }
            tensors.append(("transformer.embeddings.word_embeddings.weight", embeddings.shape, embeddings.values))
        })
        #expect(performing: { try BERTModel.load(directory: both) }, throws: { error in
            guard case ModelError.invalidSafeTensors(_, let reason) = error else { return false }
            return reason.contains("bert.embeddings.word_embeddings.weight") && reason.contains("transformer.embeddings.word_embeddings.weight")
        })
    }
}
