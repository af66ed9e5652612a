import Numerics

/// Every tensor of a learned prompt (docs/adapters.md, "Learned prompts"), as Float32.
public enum LearnedPromptWeights: Sendable {
    /// `ctx` [nCtx, Wt]
    case coop(context: Tensor)
    /// `general_ctx` [nGeneral, Wt], `queries` [nInstance, Wt], `attn.*`
    case structured(generalContext: Tensor, queries: TensorBuffer, attention: VisualGuidedAttention)

    init(from source: some WeightSource, manifest m: PromptManifest, options: ModelLoadOptions) throws {
        let (wt, wv) = (m.clip.textHiddenSize, m.clip.visionHiddenSize)
        switch m.architecture {
        case .coop(let nCtx, _):
            self = .coop(context: try source.load("ctx", shape: [nCtx, wt]).tensor)
        case .structured(let nGeneral, let nInstance, let heads, let eps, _):
            self = .structured(
                generalContext: try source.load("general_ctx", shape: [nGeneral, wt]).tensor,
                queries: try source.load("queries", shape: [nInstance, wt]),
                attention: try VisualGuidedAttention(from: source, textWidth: wt, visionWidth: wv, heads: heads, eps: Float(eps), options: options))
        }
    }
}
