/// Which text encoder a `CLIPModel` has, and so which tokenizer its token ids come from.
///
/// - `clip`: CLIP's causal transformer (`CLIPTextTransformer`), byte-level BPE (`CLIPTokenizer`),
///   pooled at the end-of-text token, then `final_layer_norm`.
/// - `bert`: a BERT (Chinese-CLIP's `ChineseCLIPTextTransformer`, RoBERTa-wwm in BERT layout),
///   WordPiece (`BertTokenizer`), pooled at `[CLS]` (the first position) with no final norm.
public enum CLIPTextTower: String, Sendable, Equatable, CaseIterable {
    case clip
    case bert
}

/// The text encoder's hyper-parameters (`text_config`), one per `CLIPTextTower`.
public enum CLIPTextTowerConfiguration: Sendable, Equatable {
    case clip(CLIPTextConfiguration)
    case bert(BERTConfiguration)

    public var tower: CLIPTextTower {
        switch self {
        case .clip: .clip
        case .bert: .bert
        }
    }

    /// CLIP's text configuration; nil for a BERT tower.
    public var clip: CLIPTextConfiguration? {
        if case .clip(let c) = self { return c }
        return nil
    }

    /// The BERT tower's configuration; nil for CLIP's.
    public var bert: BERTConfiguration? {
        if case .bert(let c) = self { return c }
        return nil
    }

    public var hiddenSize: Int { either(\.hiddenSize, \.hiddenSize) }
    public var numHiddenLayers: Int { either(\.numHiddenLayers, \.numHiddenLayers) }
    public var vocabSize: Int { either(\.vocabSize, \.vocabSize) }
    /// The longest token sequence the tower accepts (its position table's length: both towers
    /// count positions from 0).
    public var maxPositionEmbeddings: Int { either(\.maxPositionEmbeddings, \.maxSequenceLength) }

    /// A value both towers have, each under its own name.
    private func either<Value>(_ clip: KeyPath<CLIPTextConfiguration, Value>, _ bert: KeyPath<BERTConfiguration, Value>) -> Value {
        switch self {
        case .clip(let c): c[keyPath: clip]
        case .bert(let c): c[keyPath: bert]
        }
    }
}

/// The text encoder's weights, one per `CLIPTextTower`.
public enum CLIPTextTowerWeights: Sendable {
    /// `text_model.*` of a CLIP checkpoint.
    case clip(CLIPTextWeights)
    /// `text_model.*` of a Chinese-CLIP checkpoint, read under `BertModel`'s names (no pooler).
    case bert(BERTWeights)

    /// CLIP's text weights; nil for a BERT tower.
    public var clip: CLIPTextWeights? {
        if case .clip(let w) = self { return w }
        return nil
    }

    /// The BERT tower's weights; nil for CLIP's.
    public var bert: BERTWeights? {
        if case .bert(let w) = self { return w }
        return nil
    }
}
