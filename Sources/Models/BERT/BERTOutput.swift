import Numerics

/// What one BERT pass returns for a batch of sequences of different lengths.
///
/// The hidden states are packed, not padded: sequence `i` is rows
/// `sequenceStarts[i] ..< sequenceStarts[i] + sequenceLengths[i]` of `lastHiddenState`, which is
/// what a padded `last_hidden_state` holds at the positions where `attention_mask` is 1.
public struct BERTOutput: Sendable {
    /// [total tokens, hidden] — `BertModel(...).last_hidden_state`, real positions only.
    public let lastHiddenState: Tensor
    public let sequenceLengths: [Int]
    public let sequenceStarts: [Int]
    /// [sequences, hidden] — position 0 (`[CLS]`) of each sequence.
    public let cls: Tensor
    /// [sequences, hidden] — mean over each sequence's real tokens (`Σ mask·h / Σ mask`).
    public let mean: Tensor
    /// [sequences, hidden] — `pooler_output`: tanh(dense(h_CLS)); nil when the checkpoint has no pooler.
    public let pooler: Tensor?

    /// Rows of sequence `index` in `lastHiddenState`, [length, hidden] flattened.
    public func hiddenStates(ofSequence index: Int) -> ArraySlice<Float> {
        let width = lastHiddenState.shape[1]
        let start = sequenceStarts[index] * width
        return lastHiddenState.scalars[start..<(start + sequenceLengths[index] * width)]
    }
}

/// The sentence vector `adaptclip embed --model BERTDIR --pooling ...` prints.
public enum BERTPooling: String, Sendable, CaseIterable {
    case cls, mean, pooler
}

extension BERTOutput {
    /// The vectors of `pooling`; throws when `.pooler` is asked of a model without a pooler.
    public func vectors(_ pooling: BERTPooling) throws -> Tensor {
        switch pooling {
        case .cls: return cls
        case .mean: return mean
        case .pooler:
            guard let pooler else {
                throw ModelError.invalidInput("this BERT checkpoint has no pooler (pooler.dense.*); use cls or mean pooling")
            }
            return pooler
        }
    }
}
