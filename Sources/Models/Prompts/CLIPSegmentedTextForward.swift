import Numerics

extension CLIPModel {
    /// Text features of sequences built from token ids and inserted vectors (learned prompts).
    ///
    ///     segments: per text, its pieces in order; the text is their concatenation and must end
    ///               with the EOS token, where it is pooled (its last position)
    ///     result:   [texts, projection_dim] — CLIP's text tower from `inputs_embeds` on
    ///
    /// The same tower as `encodeTexts(tokenIDs:)` (`encodeTextInputs`), so an input made only of
    /// `.tokens` gives exactly what the token-id entry gives. Reference: modeling_clip.py,
    /// `CLIPTextEmbeddings.forward` with `inputs_embeds`; training/adaptclip_training/
    /// prompt_learner.py, `PromptedTextEncoder`.
    public func encodeTexts(segments texts: [[TextInputSegment]], normalized: Bool = false) throws -> Tensor {
        let (c, text) = try clipTextTower(for: "learned prompts")
        let width = c.hiddenSize
        var lengths: [Int] = []
        for (index, segments) in texts.enumerated() {
            for segment in segments {
                switch segment {
                case .tokens(let ids):
                    if let bad = ids.first(where: { !(0..<c.vocabSize).contains($0) }) {
                        throw ModelError.invalidInput("text \(index) has token id \(bad), outside the vocabulary 0..<\(c.vocabSize)")
                    }
                case .vectors(let rows):
                    guard rows.rank == 2, rows.shape[1] == width else {
                        throw ModelError.invalidInput(
                            "text \(index) inserts vectors of shape \(rows.shape); the text encoder needs [n, \(width)]")
                    }
                }
            }
            let length = segments.reduce(0) { $0 + $1.length }
            // Too long is an error, never a silent cut: a cut prompt would lose its EOS and class name.
            guard (1...c.maxPositionEmbeddings).contains(length) else {
                throw ModelError.invalidInput(
                    "text \(index) has \(length) positions; must be 1...\(c.maxPositionEmbeddings) (max_position_embeddings)")
            }
            lengths.append(length)
        }
        let table = text.tokenEmbedding.pointer
        return try encodeTextInputs(lengths: lengths, poolingPositions: lengths.map { $0 - 1 }, normalized: normalized) {
            inputs, sequences in
            for (segments, sequence) in zip(texts, sequences) {
                var row = inputs + sequence.start * width
                for segment in segments {
                    switch segment {
                    case .tokens(let ids):
                        for id in ids {
                            row.update(from: table + id * width, count: width)
                            row += width
                        }
                    case .vectors(let rows):
                        rows.scalars.withUnsafeBufferPointer { source in
                            if let base = source.baseAddress { row.update(from: base, count: rows.count) }
                        }
                        row += rows.count
                    }
                }
            }
        }
    }
}
