extension CLIPConfiguration {
    /// Checks what the forward passes rely on, for configurations built in code as well as
    /// read from config.json: positive sizes, widths divisible by head counts, patches that
    /// fit the image. Errors name the config.json key.
    public func validate() throws {
        func positive(_ value: Int, _ key: String) throws {
            guard value > 0 else { throw ModelError.invalidConfig(key: key, reason: "must be positive, got \(value)") }
        }
        func divisible(_ width: Int, _ heads: Int, _ key: String) throws {
            guard width % heads == 0 else {
                throw ModelError.invalidConfig(key: key, reason: "hidden_size \(width) is not divisible by \(heads) heads")
            }
        }
        let v = vision
        let (textHeads, textIntermediate, textEps) = switch text {
        case .clip(let t): (t.numAttentionHeads, t.intermediateSize, t.layerNormEps)
        case .bert(let t): (t.numAttentionHeads, t.intermediateSize, t.layerNormEps)
        }
        for (value, key) in [
            (v.imageSize, "vision_config.image_size"), (v.patchSize, "vision_config.patch_size"),
            (v.hiddenSize, "vision_config.hidden_size"), (v.numAttentionHeads, "vision_config.num_attention_heads"),
            (v.intermediateSize, "vision_config.intermediate_size"), (v.numChannels, "vision_config.num_channels"),
            (text.vocabSize, "text_config.vocab_size"), (text.maxPositionEmbeddings, "text_config.max_position_embeddings"),
            (text.hiddenSize, "text_config.hidden_size"), (textHeads, "text_config.num_attention_heads"),
            (textIntermediate, "text_config.intermediate_size"), (projectionDim, "projection_dim"),
        ] {
            try positive(value, key)
        }
        guard v.numHiddenLayers >= 0 else {
            throw ModelError.invalidConfig(key: "vision_config.num_hidden_layers", reason: "must not be negative")
        }
        guard text.numHiddenLayers >= 0 else {
            throw ModelError.invalidConfig(key: "text_config.num_hidden_layers", reason: "must not be negative")
        }
        try divisible(v.hiddenSize, v.numAttentionHeads, "vision_config.num_attention_heads")
        try divisible(text.hiddenSize, textHeads, "text_config.num_attention_heads")
        guard v.patchSize <= v.imageSize else {
            throw ModelError.invalidConfig(key: "vision_config.patch_size", reason: "\(v.patchSize) exceeds image_size \(v.imageSize)")
        }
        guard v.layerNormEps.isFinite, v.layerNormEps >= 0, textEps.isFinite, textEps >= 0 else {
            throw ModelError.invalidConfig(key: "layer_norm_eps", reason: "must be finite and non-negative")
        }
    }
}
