import Foundation
import Numerics

/// A language adapter: BERT's last hidden states → CLIP's text-embedding (projection) space.
///
///     hidden [tokens, H] (packed) → down_proj [tokens, d] → N layers [tokens, d]
///       → pooling (cls | masked mean) [B, d] → final_layer_norm? [B, d] → up_proj [B, P]
///
/// The output is not normalised (the service L2-normalises it, as it does CLIP's own text
/// embeddings). Immutable and `Sendable`; each call allocates its own activations.
/// Reference: training/adaptclip_training/language_adapter.py, `LanguageAdapter.forward`.
public struct LanguageAdapter: Sendable {
    public let manifest: LanguageAdapterManifest
    public let weights: LanguageAdapterWeights

    /// Validates the checkpoint in `directory` against `host` (every check of docs/adapters.md;
    /// refusals are `AdapterCheckpointError`), then decodes and builds the adapter, its linear
    /// layers prepared as `options` says.
    public static func load(
        directory: URL, host: LanguageAdapterHost, options: ModelLoadOptions = .standard
    ) throws -> LanguageAdapter {
        try LanguageAdapter(checkpoint: LanguageAdapterCheckpoint(directory: directory, host: host), options: options)
    }

    public init(checkpoint: LanguageAdapterCheckpoint, options: ModelLoadOptions = .standard) throws {
        manifest = checkpoint.manifest
        weights = try LanguageAdapterWeights(from: checkpoint, manifest: checkpoint.manifest, options: options)
    }

    /// `H`, the base encoder's hidden size.
    public var inputSize: Int { manifest.baseEncoder.hiddenSize }
    /// `P`, CLIP's projection dim.
    public var outputSize: Int { manifest.clip.projectionDim }

    /// The adapter over a BERT batch's packed last hidden states: [sequences, P].
    public func encode(_ bert: BERTOutput) throws -> Tensor {
        try encode(hiddenStates: bert.lastHiddenState, sequenceLengths: bert.sequenceLengths)
    }

    /// hiddenStates: [Σ sequenceLengths, H], the real tokens of each sequence one after the
    /// other (what `BERTOutput.lastHiddenState` holds); every length ≥ 1. Result: [B, P].
    public func encode(hiddenStates: Tensor, sequenceLengths: [Int]) throws -> Tensor {
        let a = manifest.architecture
        let d = a.adapterWidth
        if let bad = sequenceLengths.firstIndex(where: { $0 < 1 }) {
            throw ModelError.invalidInput("sequence \(bad) has \(sequenceLengths[bad]) tokens; every sequence needs at least one")
        }
        let tokens = sequenceLengths.reduce(0, +)
        guard hiddenStates.shape == [tokens, inputSize] else {
            throw ModelError.invalidInput(
                "hidden states have shape \(hiddenStates.shape); the adapter needs [\(tokens), \(inputSize)] (Σ sequence lengths, hidden size)")
        }
        let count = sequenceLengths.count
        let sequences = AttentionSequence.packed(lengths: sequenceLengths)
        let out = try TensorBuffer(shape: [count, outputSize])
        guard count > 0 else { return out.tensor }

        let input = TensorBuffer(hiddenStates)
        let x = try TensorBuffer(shape: [tokens, d])
        let pooled = try TensorBuffer(shape: [count, d])
        let scratch = try EncoderScratch(
            tokens: a.numLayers > 0 ? tokens : 0, width: d, intermediate: a.intermediateSize,
            longestSequence: a.numLayers > 0 ? (sequenceLengths.max() ?? 1) : 0)
        withExtendedLifetime((input, x, pooled, scratch)) {
            weights.downProj.apply(input.pointer, rows: tokens, into: x.pointer)
            for layer in weights.layers {
                layer.forward(
                    x.pointer, tokens: tokens, sequences: sequences, heads: a.numHeads, normPosition: a.normPosition,
                    scratch: scratch)
            }
            for (index, sequence) in sequences.enumerated() {
                let rows = x.pointer + sequence.start * d
                let target = pooled.pointer + index * d
                switch a.pooling {
                case .cls:
                    target.update(from: rows, count: d)
                case .mean:
                    for t in 0..<sequence.length {
                        let row = rows + t * d
                        for i in 0..<d { target[i] += row[i] }
                    }
                    let inverse = 1 / Float(sequence.length)
                    for i in 0..<d { target[i] *= inverse }
                }
            }
            weights.finalLayerNorm?.apply(pooled.pointer, rows: count, into: pooled.pointer)
            weights.upProj.apply(pooled.pointer, rows: count, into: out.pointer)
        }
        return out.tensor
    }
}
