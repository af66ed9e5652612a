/// The `architecture` section of a language adapter's `adapter.json` (docs/adapters.md).
///
///     d = adapterWidth, N = numLayers, F = intermediateSize, heads = numHeads (0 when N = 0)
public struct LanguageAdapterArchitecture: Sendable, Equatable {
    public enum NormPosition: String, Sendable, CaseIterable {
        /// x = x + attn(ln1(x)); x = x + mlp(ln2(x))
        case pre
        /// x = ln1(x + attn(x)); x = ln2(x + mlp(x))
        case post
    }

    public enum Pooling: String, Sendable, CaseIterable {
        /// Row 0 (BERT's [CLS]).
        case cls
        /// Mean over the real tokens.
        case mean
    }

    public enum ActivationName: String, Sendable, CaseIterable {
        /// Exact (erf) GELU.
        case gelu
    }

    public let adapterWidth: Int
    public let numLayers: Int
    public let numHeads: Int
    public let intermediateSize: Int
    public let layerNormEps: Double
    public let normPosition: NormPosition
    public let pooling: Pooling
    public let activation: ActivationName
    public let finalLayerNorm: Bool

    static let keys = [
        "adapter_width", "num_layers", "num_heads", "intermediate_size", "layer_norm_eps", "norm_position", "pooling",
        "activation", "final_layer_norm",
    ]

    /// Check 8 of docs/adapters.md, in its order.
    init(reading a: AdapterManifestReader) throws(AdapterCheckpointError) {
        adapterWidth = try a.positiveInteger("adapter_width")
        numLayers = try a.count("num_layers")
        numHeads = try a.count("num_heads")
        intermediateSize = try a.count("intermediate_size")
        if numLayers > 0 {
            guard numHeads > 0, adapterWidth % numHeads == 0 else {
                throw a.fail(
                    "num_heads", "\(numHeads) does not divide architecture.adapter_width \(adapterWidth)",
                    requirement: "must be > 0 and divide architecture.adapter_width")
            }
            guard intermediateSize > 0 else {
                throw a.fail(
                    "intermediate_size", "must be > 0 when architecture.num_layers is \(numLayers)",
                    requirement: "must be > 0 when architecture.num_layers is not 0")
            }
        } else {
            for (key, value) in [("num_heads", numHeads), ("intermediate_size", intermediateSize)] where value != 0 {
                throw a.fail(key, "must be 0 when architecture.num_layers is 0, got \(value)", requirement: "must be 0 when architecture.num_layers is 0")
            }
        }
        let eps = try a.value("layer_norm_eps")
        switch eps {
        case .integer(let value) where value > 0 && value < 1: layerNormEps = Double(value)
        case .number(let value) where value > 0 && value < 1: layerNormEps = value
        default: throw a.fail("layer_norm_eps", "must be a number in (0, 1), got \(eps.pythonDescription)", requirement: "must be a number in (0, 1)")
        }
        normPosition = try a.choice("norm_position", of: NormPosition.self)
        pooling = try a.choice("pooling", of: Pooling.self)
        activation = try a.choice("activation", of: ActivationName.self)
        let final = try a.value("final_layer_norm")
        guard case .bool(let flag) = final else {
            throw a.fail("final_layer_norm", "must be true or false, got \(final.pythonDescription)", requirement: "must be true or false")
        }
        finalLayerNorm = flag
    }

    /// Every tensor a checkpoint of this architecture holds, name → shape, for base hidden size
    /// `inputSize` (H) and CLIP projection dim `outputSize` (P).
    /// Reference: training/adaptclip_training/language_adapter.py, `expected_tensor_shapes`.
    public func tensorShapes(inputSize: Int, outputSize: Int) -> [String: [Int]] {
        let d = adapterWidth, f = intermediateSize
        var shapes: [String: [Int]] = ["down_proj.weight": [d, inputSize], "down_proj.bias": [d]]
        for i in 0..<numLayers {
            let p = "layers.\(i)."
            for projection in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                shapes["\(p)self_attn.\(projection).weight"] = [d, d]
                shapes["\(p)self_attn.\(projection).bias"] = [d]
            }
            shapes["\(p)layer_norm1.weight"] = [d]
            shapes["\(p)layer_norm1.bias"] = [d]
            shapes["\(p)mlp.fc1.weight"] = [f, d]
            shapes["\(p)mlp.fc1.bias"] = [f]
            shapes["\(p)mlp.fc2.weight"] = [d, f]
            shapes["\(p)mlp.fc2.bias"] = [d]
            shapes["\(p)layer_norm2.weight"] = [d]
            shapes["\(p)layer_norm2.bias"] = [d]
        }
        if finalLayerNorm {
            shapes["final_layer_norm.weight"] = [d]
            shapes["final_layer_norm.bias"] = [d]
        }
        shapes["up_proj.weight"] = [outputSize, d]
        shapes["up_proj.bias"] = [outputSize]
        return shapes
    }
}
