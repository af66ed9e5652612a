/// The `architecture` section of a learned prompt's `adapter.json` (docs/adapters.md,
/// "Learned prompts"): which variant, and its sizes.
public enum PromptArchitecture: Sendable, Equatable {
    /// CoOp: `ctx` [nCtx, Wt] before the tokens of "<class><suffix>".
    case coop(nCtx: Int, classSuffix: String)
    /// General / Domain / Instance: `general_ctx` [nGeneral, Wt], the class tokens, nInstance
    /// vectors from the image (visual-guided attention with `numHeads` heads), the suffix tokens.
    case structured(nGeneral: Int, nInstance: Int, numHeads: Int, layerNormEps: Double, classSuffix: String)

    enum Variant: String, CaseIterable {
        case coop
        case structured

        /// Exactly these keys, in the table's order.
        var keys: [String] {
            switch self {
            case .coop: ["variant", "n_ctx", "class_suffix"]
            case .structured: ["variant", "n_general", "n_instance", "num_heads", "layer_norm_eps", "class_suffix"]
            }
        }
    }

    public var variantName: String {
        switch self {
        case .coop: "coop"
        case .structured: "structured"
        }
    }

    public var classSuffix: String {
        switch self {
        case .coop(_, let suffix), .structured(_, _, _, _, let suffix): suffix
        }
    }

    /// Check 7 (prompts): `variant` first (it decides which keys belong), then exactly that
    /// variant's keys, then each value in the table's order.
    /// Reference: training/adaptclip_training/prompt_checkpoint.py, `_check_manifest`.
    init(reading root: AdapterManifestReader, textHiddenSize: Int) throws(AdapterCheckpointError) {
        guard let fields = root.fields["architecture"]?.object else {
            throw root.fail("architecture", "must be a JSON object")
        }
        let a = AdapterManifestReader(fields: fields, prefix: "architecture.")
        let variant = try a.choice("variant", of: Variant.self)
        try a.requireExactly(variant.keys)
        switch variant {
        case .coop:
            let nCtx = try a.positiveInteger("n_ctx")
            self = .coop(nCtx: nCtx, classSuffix: try Self.suffix(a))
        case .structured:
            let nGeneral = try a.positiveInteger("n_general")
            let nInstance = try a.positiveInteger("n_instance")
            let heads = try a.positiveInteger("num_heads")
            let eps = try a.value("layer_norm_eps")
            let layerNormEps: Double
            switch eps {
            case .integer(let value) where value > 0 && value < 1: layerNormEps = Double(value)
            case .number(let value) where value > 0 && value < 1: layerNormEps = value
            default: throw a.fail("layer_norm_eps", "must be a number in (0, 1), got \(eps.pythonDescription)", requirement: "must be a number in (0, 1)")
            }
            guard textHiddenSize % heads == 0 else {
                throw a.fail(
                    "num_heads", "\(heads) does not divide clip.text_hidden_size \(textHiddenSize)",
                    requirement: "must divide clip.text_hidden_size")
            }
            self = .structured(
                nGeneral: nGeneral, nInstance: nInstance, numHeads: heads, layerNormEps: layerNormEps, classSuffix: try Self.suffix(a))
        }
    }

    /// Any string, the empty one included (no suffix).
    private static func suffix(_ a: AdapterManifestReader) throws(AdapterCheckpointError) -> String {
        let value = try a.value("class_suffix")
        guard case .string(let text) = value else {
            throw a.fail("class_suffix", "must be a string, got \(value.pythonDescription)", requirement: "must be a string")
        }
        return text
    }

    /// Every tensor of this architecture, name → shape, for text width `wt` and vision width `wv`.
    /// Reference: prompt_learner.py, `expected_prompt_tensor_shapes`.
    public func tensorShapes(textHiddenSize wt: Int, visionHiddenSize wv: Int) -> [String: [Int]] {
        switch self {
        case .coop(let nCtx, _):
            return ["ctx": [nCtx, wt]]
        case .structured(let nGeneral, let nInstance, _, _, _):
            return [
                "general_ctx": [nGeneral, wt], "queries": [nInstance, wt],
                "attn.layer_norm.weight": [wv], "attn.layer_norm.bias": [wv],
                "attn.k_proj.weight": [wt, wv], "attn.k_proj.bias": [wt],
                "attn.v_proj.weight": [wt, wv], "attn.v_proj.bias": [wt],
                "attn.out_proj.weight": [wt, wt], "attn.out_proj.bias": [wt],
            ]
        }
    }
}
