import Numerics

/// `BertEmbeddings` (`embeddings.*`): three lookup tables summed, then LayerNorm.
public struct BERTEmbeddingsWeights: Sendable {
    /// `word_embeddings.weight` [vocab_size, hidden]
    public let wordEmbeddings: TensorBuffer
    /// `position_embeddings.weight` [max_position_embeddings, hidden]
    public let positionEmbeddings: TensorBuffer
    /// `token_type_embeddings.weight` [type_vocab_size, hidden]
    public let tokenTypeEmbeddings: TensorBuffer
    /// `LayerNorm.{weight,bias}` [hidden]
    public let layerNorm: LayerNormWeights

    init(from source: some WeightSource, config c: BERTConfiguration) throws {
        let h = c.hiddenSize
        wordEmbeddings = try source.load("embeddings.word_embeddings.weight", shape: [c.vocabSize, h])
        positionEmbeddings = try source.load("embeddings.position_embeddings.weight", shape: [c.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try source.load("embeddings.token_type_embeddings.weight", shape: [c.typeVocabSize, h])
        layerNorm = try LayerNormWeights(from: source, prefix: "embeddings.LayerNorm", width: h, eps: c.layerNormEps)
    }
}

/// `BertAttention` (`encoder.layer.<i>.attention.*`): `self.{query,key,value}` [hidden, hidden],
/// then `output.dense` [hidden, hidden] and the post-residual `output.LayerNorm`.
public struct BERTAttentionWeights: Sendable {
    public let query: LinearWeights
    public let key: LinearWeights
    public let value: LinearWeights
    public let outputDense: LinearWeights
    public let outputLayerNorm: LayerNormWeights

    init(from source: some WeightSource, prefix: String, config c: BERTConfiguration, options: ModelLoadOptions) throws {
        let h = c.hiddenSize
        query = try LinearWeights(from: source, prefix: "\(prefix).self.query", inFeatures: h, outFeatures: h, bias: true, options: options)
        key = try LinearWeights(from: source, prefix: "\(prefix).self.key", inFeatures: h, outFeatures: h, bias: true, options: options)
        value = try LinearWeights(from: source, prefix: "\(prefix).self.value", inFeatures: h, outFeatures: h, bias: true, options: options)
        outputDense = try LinearWeights(from: source, prefix: "\(prefix).output.dense", inFeatures: h, outFeatures: h, bias: true, options: options)
        outputLayerNorm = try LayerNormWeights(from: source, prefix: "\(prefix).output.LayerNorm", width: h, eps: c.layerNormEps)
    }
}

/// `BertLayer` (`encoder.layer.<i>`): attention, then `intermediate.dense` [intermediate, hidden]
/// and `output.dense` [hidden, intermediate] with the post-residual `output.LayerNorm`.
public struct BERTLayerWeights: Sendable {
    public let attention: BERTAttentionWeights
    public let intermediateDense: LinearWeights
    public let outputDense: LinearWeights
    public let outputLayerNorm: LayerNormWeights

    init(from source: some WeightSource, prefix: String, config c: BERTConfiguration, options: ModelLoadOptions) throws {
        let h = c.hiddenSize, i = c.intermediateSize
        attention = try BERTAttentionWeights(from: source, prefix: "\(prefix).attention", config: c, options: options)
        intermediateDense = try LinearWeights(
            from: source, prefix: "\(prefix).intermediate.dense", inFeatures: h, outFeatures: i, bias: true, options: options)
        outputDense = try LinearWeights(from: source, prefix: "\(prefix).output.dense", inFeatures: i, outFeatures: h, bias: true, options: options)
        outputLayerNorm = try LayerNormWeights(from: source, prefix: "\(prefix).output.LayerNorm", width: h, eps: c.layerNormEps)
    }
}

/// Every tensor `BertModel` uses, checked against the configuration's shapes.
/// Loading is separate from computing: the forward pass only reads these.
public struct BERTWeights: Sendable {
    public let embeddings: BERTEmbeddingsWeights
    /// `encoder.layer.<i>` for i in 0..<num_hidden_layers
    public let layers: [BERTLayerWeights]
    /// `pooler.dense` [hidden, hidden]; nil when the checkpoint has no pooler (a `BertModel`
    /// saved with `add_pooling_layer=False`), in which case the pooler vector is unavailable.
    public let pooler: LinearWeights?
    /// What every linear layer was prepared for; what the language adapters over it load with.
    public let options: ModelLoadOptions

    /// `source` answers `BertModel`'s own names (a `BERTCheckpoint`, or a prefixed view of a
    /// whole model's weights); `pooler`: whether to load `pooler.dense` (models saved with
    /// `add_pooling_layer=False` have none).
    init(from source: some WeightSource, config c: BERTConfiguration, pooler hasPooler: Bool, options: ModelLoadOptions) throws {
        self.options = options
        embeddings = try BERTEmbeddingsWeights(from: source, config: c)
        layers = try (0..<c.numHiddenLayers).map { i in
            try BERTLayerWeights(from: source, prefix: "encoder.layer.\(i)", config: c, options: options)
        }
        pooler = hasPooler
            ? try LinearWeights(
                from: source, prefix: "pooler.dense", inFeatures: c.hiddenSize, outFeatures: c.hiddenSize, bias: true, options: options)
            : nil
    }
}
