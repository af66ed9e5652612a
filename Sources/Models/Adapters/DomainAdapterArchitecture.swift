/// The `architecture` section of a domain adapter's `adapter.json` (docs/adapters.md, "Domain
/// adapter"): parallel bottlenecks beside the MLP of chosen layers of CLIP's vision and/or text
/// encoder, at least one side.
///
///     "architecture": {"adapter": "parallel-bottleneck", "activation": "relu",
///                      "vision": {"layers": [0, 2], "width": 96, "bottleneck": 8, "scale": 0.5}}
///
/// Reference: training/adaptclip_training/domain_checkpoint.py, `_check_manifest`, `_check_side`.
public struct DomainAdapterArchitecture: Sendable, Equatable {
    /// The CLIP encoder a side adapts.
    public enum Tower: String, Sendable, CaseIterable {
        case vision, text
    }

    public enum Design: String, Sendable, CaseIterable {
        /// out = h + mlp(u) + scale · up(act(down(u))), u = ln2(h) (AdaptFormer).
        case parallelBottleneck = "parallel-bottleneck"
    }

    public enum ActivationName: String, Sendable, CaseIterable {
        case relu
    }

    /// One encoder's bottlenecks: `architecture.vision` or `architecture.text`.
    public struct Side: Sendable, Equatable {
        /// Indices of the encoder layers that get a bottleneck, unique, in the manifest's order.
        public let layers: [Int]
        /// W: the encoder's hidden_size.
        public let width: Int
        /// r
        public let bottleneck: Int
        /// s: multiplies the bottleneck's output.
        public let scale: Double

        static let keys = ["layers", "width", "bottleneck", "scale"]

        init(reading s: AdapterManifestReader) throws(AdapterCheckpointError) {
            let layersValue = try s.value("layers")
            var layers: [Int] = []
            if case .array(let items) = layersValue {
                for item in items {
                    guard case .integer(let layer) = item, layer >= 0 else { layers = []; break }
                    layers.append(layer)
                }
                if layers.count != items.count { layers = [] }
            }
            guard !layers.isEmpty else {
                throw s.fail(
                    "layers", "must be a non-empty list of integers >= 0, got \(layersValue.pythonDescription)",
                    requirement: "must be a non-empty list of integers >= 0")
            }
            var seen = Set<Int>()
            for layer in layers where !seen.insert(layer).inserted {
                throw s.fail("layers", "layer \(layer) is listed twice", requirement: "must list each layer once")
            }
            self.layers = layers
            width = try s.positiveInteger("width")
            bottleneck = try s.positiveInteger("bottleneck")
            let scaleValue = try s.value("scale")
            switch scaleValue {
            case .integer(let value): scale = Double(value)
            case .number(let value) where value.isFinite: scale = value
            default: throw s.fail("scale", "must be a finite number, got \(scaleValue.pythonDescription)", requirement: "must be a finite number")
            }
        }
    }

    public let design: Design
    public let activation: ActivationName
    public let vision: Side?
    public let text: Side?

    static let requiredKeys = ["adapter", "activation"]

    /// Check 7 of the domain checks, in its order.
    init(reading a: AdapterManifestReader) throws(AdapterCheckpointError) {
        try a.requireExactly(Self.requiredKeys, optional: Tower.allCases.map(\.rawValue))
        design = try a.choice("adapter", of: Design.self)
        activation = try a.choice("activation", of: ActivationName.self)
        guard Tower.allCases.contains(where: { a.fields[$0.rawValue] != nil }) else {
            throw .manifest("architecture", "needs at least one of \"vision\", \"text\"")
        }
        vision = a.fields["vision"] == nil ? nil : try Side(reading: a.section("vision", keys: Side.keys))
        text = a.fields["text"] == nil ? nil : try Side(reading: a.section("text", keys: Side.keys))
    }

    public func side(_ tower: Tower) -> Side? {
        switch tower {
        case .vision: vision
        case .text: text
        }
    }

    /// Every tensor a checkpoint of this architecture holds, name → shape.
    /// Reference: training/adaptclip_training/domain_adapter.py, `expected_tensor_shapes`.
    public func tensorShapes() -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for tower in Tower.allCases {
            guard let side = side(tower) else { continue }
            for layer in side.layers {
                let prefix = "\(tower.rawValue).layers.\(layer)."
                shapes[prefix + "down.weight"] = [side.bottleneck, side.width]
                shapes[prefix + "down.bias"] = [side.bottleneck]
                shapes[prefix + "up.weight"] = [side.width, side.bottleneck]
                shapes[prefix + "up.bias"] = [side.width]
            }
        }
        return shapes
    }
}
