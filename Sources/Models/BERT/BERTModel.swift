import Foundation
import Numerics

/// A frozen BERT encoder (`BertModel`): configuration plus weights, and the forward pass as a
/// plain function.
///
/// Immutable and `Sendable`: any number of threads may encode at once; each call allocates
/// its own activations (once per batch, reused across layers).
public struct BERTModel: Sendable {
    public let configuration: BERTConfiguration
    public let weights: BERTWeights

    public init(configuration: BERTConfiguration, weights: BERTWeights) {
        self.configuration = configuration
        self.weights = weights
    }

    /// Loads a Hugging Face BERT, RoBERTa or XLM-R directory: `config.json` and
    /// `model.safetensors`, in any layout `BERTCheckpoint` knows, its linear layers prepared as
    /// `options` says.
    public static func load(directory: URL, options: ModelLoadOptions = .standard) throws -> BERTModel {
        let configuration = try BERTConfiguration.load(contentsOf: directory.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let checkpoint = try BERTCheckpoint(file: file)
        return BERTModel(
            configuration: configuration,
            weights: try BERTWeights(from: checkpoint, config: configuration, pooler: checkpoint.hasPooler, options: options))
    }

    public var hiddenSize: Int { configuration.hiddenSize }
    /// The precision and kernel the model was loaded with.
    public var options: ModelLoadOptions { weights.options }

    /// Encodes a batch of token-id sequences.
    ///
    ///     tokenIDs:     one array per sequence, each 1...maxSequenceLength long, unpadded
    ///     tokenTypeIDs: the same lengths (segment ids); nil means all 0, as transformers defaults
    ///     result:       packed last hidden states [total tokens, hidden] and per-sequence vectors
    ///     shouldStop:   asked before every layer; true abandons the pass (`ModelError.stopped`)
    ///
    /// Reference: transformers/models/bert/modeling_bert.py, `BertModel.forward`
    /// (`BertEmbeddings`, `BertEncoder`, `BertPooler`). Sequences are packed row after row with
    /// no padding: every projection is one GEMM over the batch's real tokens and attention runs
    /// within each sequence, which equals transformers' padded batch at the real positions.
    public func encode(tokenIDs: [[Int]], tokenTypeIDs: [[Int]]? = nil, shouldStop: () -> Bool = { false }) throws -> BERTOutput {
        let c = configuration
        try validate(tokenIDs: tokenIDs, tokenTypeIDs: tokenTypeIDs)
        let count = tokenIDs.count
        let width = c.hiddenSize
        let sequences = AttentionSequence.packed(lengths: tokenIDs.map(\.count))
        let tokens = tokenIDs.reduce(0) { $0 + $1.count }
        let longest = tokenIDs.map(\.count).max() ?? 1

        let hidden = try TensorBuffer(shape: [tokens, width])
        let cls = try TensorBuffer(shape: [count, width])
        let mean = try TensorBuffer(shape: [count, width])
        let pooled = weights.pooler == nil ? nil : try TensorBuffer(shape: [count, width])
        let scratch = try EncoderScratch(
            tokens: max(tokens, 1), width: width, intermediate: c.intermediateSize, longestSequence: max(longest, 1))
        // The buffers' raw pointers are used below; keep every owner alive until the end.
        let completed = withExtendedLifetime((hidden, cls, mean, pooled, scratch)) { () -> Bool in
            embed(tokenIDs: tokenIDs, tokenTypeIDs: tokenTypeIDs, sequences: sequences, into: hidden.pointer)
            for layer in weights.layers {
                if shouldStop() { return false }
                layer.forward(
                    hidden.pointer, tokens: tokens, sequences: sequences, heads: c.numAttentionHeads,
                    activation: c.hiddenAct, scratch: scratch)
            }
            for (index, sequence) in sequences.enumerated() {
                let rows = hidden.pointer + sequence.start * width
                (cls.pointer + index * width).update(from: rows, count: width)
                let target = mean.pointer + index * width
                for t in 0..<sequence.length {
                    let row = rows + t * width
                    for i in 0..<width { target[i] += row[i] }
                }
                let inverse = 1 / Float(sequence.length)
                for i in 0..<width { target[i] *= inverse }
            }
            // BertPooler: tanh(dense(hidden[:, 0])).
            if let pooler = weights.pooler, let pooled {
                pooler.apply(cls.pointer, rows: count, into: pooled.pointer)
                for i in 0..<(count * width) { pooled.pointer[i] = tanhf(pooled.pointer[i]) }
            }
            return true
        }
        guard completed else { throw ModelError.stopped }
        return BERTOutput(
            lastHiddenState: hidden.tensor, sequenceLengths: sequences.map(\.length), sequenceStarts: sequences.map(\.start),
            cls: cls.tensor, mean: mean.tensor, pooler: pooled?.tensor)
    }

    /// hidden[t] = LayerNorm(word[id_t] + position[p_t] + token_type[type_t]), p_t as
    /// `configuration.positions` says (t itself for BERT). Reference: modeling_bert.py,
    /// `BertEmbeddings.forward`; modeling_xlm_roberta.py, `XLMRobertaEmbeddings.forward` (past length 0).
    private func embed(
        tokenIDs: [[Int]], tokenTypeIDs: [[Int]]?, sequences: [AttentionSequence], into hidden: UnsafeMutablePointer<Float>
    ) {
        let width = configuration.hiddenSize
        let e = weights.embeddings
        for (index, (ids, sequence)) in zip(tokenIDs, sequences).enumerated() {
            let types = tokenTypeIDs?[index]
            let rows = configuration.positions.rows(of: ids, padTokenID: configuration.padTokenID)
            for (position, (id, row)) in zip(ids, rows).enumerated() {
                let target = hidden + (sequence.start + position) * width
                let word = e.wordEmbeddings.pointer + id * width
                let place = e.positionEmbeddings.pointer + row * width
                let segment = e.tokenTypeEmbeddings.pointer + (types?[position] ?? 0) * width
                for i in 0..<width { target[i] = word[i] + place[i] + segment[i] }
            }
        }
        let tokens = sequences.last.map { $0.start + $0.length } ?? 0
        e.layerNorm.apply(hidden, rows: tokens, into: hidden)
    }

    private func validate(tokenIDs: [[Int]], tokenTypeIDs: [[Int]]?) throws {
        let c = configuration
        if let types = tokenTypeIDs, types.count != tokenIDs.count {
            throw ModelError.invalidInput("\(tokenIDs.count) sequences of token ids but \(types.count) of token type ids")
        }
        for (index, ids) in tokenIDs.enumerated() {
            guard (1...c.maxSequenceLength).contains(ids.count) else {
                throw ModelError.invalidInput(
                    "sequence \(index) has \(ids.count) tokens; must be 1...\(c.maxSequenceLength)")
            }
            if let bad = ids.first(where: { !(0..<c.vocabSize).contains($0) }) {
                throw ModelError.invalidInput("sequence \(index) has token id \(bad), outside the vocabulary 0..<\(c.vocabSize)")
            }
            guard let types = tokenTypeIDs?[index] else { continue }
            guard types.count == ids.count else {
                throw ModelError.invalidInput(
                    "sequence \(index) has \(ids.count) token ids but \(types.count) token type ids")
            }
            if let bad = types.first(where: { !(0..<c.typeVocabSize).contains($0) }) {
                throw ModelError.invalidInput(
                    "sequence \(index) has token type id \(bad), outside 0..<\(c.typeVocabSize) (type_vocab_size)")
            }
        }
    }
}
