import Numerics

extension CLIPModel {
    /// Text embeddings from a BERT text tower (Chinese-CLIP).
    ///
    ///     tokenIDs: one array of WordPiece ids per text ([CLS] ... [SEP]), each 1...max_position_embeddings
    ///     result:   [texts, projection_dim] — text_projection(last_hidden_state[:, 0]), L2-normalised if asked
    ///
    /// Reference: modeling_chinese_clip.py, `ChineseCLIPModel.forward` (`text_embeds` before its
    /// normalisation). `get_text_features` in transformers 4.57.6 projects `pooler_output`
    /// instead, which is None for this model (its text model has no pooler), so `forward` is the
    /// reference. Each text is computed alone (no padding), which equals the padded batch under
    /// its attention mask. A domain adapter with a text side is refused: its bottlenecks sit
    /// beside CLIP's text MLPs, which this tower does not have.
    func encodeBERTTexts(
        tokenIDs: [[Int]], configuration c: BERTConfiguration, weights bert: BERTWeights, normalized: Bool,
        adapter: DomainAdapter?, shouldStop: () -> Bool
    ) throws -> Tensor {
        if adapter?.text != nil {
            throw ModelError.unsupported(
                "a domain adapter with a text side runs inside CLIP's text transformer; this model's text tower is a BERT (use a vision-only adapter)")
        }
        let count = tokenIDs.count
        let out = try TensorBuffer(shape: [count, projectionDim])
        guard count > 0 else { return out.tensor }
        let cls = TensorBuffer(try BERTModel(configuration: c, weights: bert).encode(tokenIDs: tokenIDs, shouldStop: shouldStop).cls)
        withExtendedLifetime(cls) { weights.textProjection.apply(cls.pointer, rows: count, into: out.pointer) }
        if normalized { L2Normalize.apply(out.pointer, rows: count, width: projectionDim) }
        return out.tensor
    }
}
