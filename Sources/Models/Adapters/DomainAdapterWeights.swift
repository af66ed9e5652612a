import Numerics

/// `<side>.layers.<l>`: the bottleneck beside layer l's MLP.
///
///     down: [r, W] + [r]      up: [W, r] + [W], stored already multiplied by the side's scale
///
/// Folding `scale` into `up` at load turns `scale · up(z)` into one GEMM that accumulates
/// straight into the residual stream; it moves the result by float rounding only
/// (s·(Wz + b) vs (sW)z + sb), far inside the parity tolerance.
public struct DomainBottleneckWeights: Sendable {
    public let down: LinearWeights
    public let up: LinearWeights

    init(
        from source: some WeightSource, prefix p: String, width: Int, bottleneck: Int, scale: Float, options: ModelLoadOptions
    ) throws {
        down = try LinearWeights(from: source, prefix: "\(p).down", inFeatures: width, outFeatures: bottleneck, bias: true, options: options)
        up = try LinearWeights(
            from: ScaledWeights(base: source, scale: scale), prefix: "\(p).up", inFeatures: bottleneck, outFeatures: width,
            bias: true, options: options)
    }
}

/// One encoder's bottlenecks, by layer index.
public struct DomainAdapterTower: Sendable {
    public let side: DomainAdapterArchitecture.Side
    /// Index = encoder layer; nil where the layer has no bottleneck.
    public let layers: [DomainBottleneckWeights?]

    init(
        from source: some WeightSource, tower: DomainAdapterArchitecture.Tower, side: DomainAdapterArchitecture.Side,
        options: ModelLoadOptions
    ) throws {
        self.side = side
        var layers = [DomainBottleneckWeights?](repeating: nil, count: (side.layers.max() ?? -1) + 1)
        for layer in side.layers {
            layers[layer] = try DomainBottleneckWeights(
                from: source, prefix: "\(tower.rawValue).layers.\(layer)", width: side.width, bottleneck: side.bottleneck,
                scale: Float(side.scale), options: options)
        }
        self.layers = layers
    }

    /// The bottleneck beside encoder layer `index`, if it has one.
    public func bottleneck(atLayer index: Int) -> DomainBottleneckWeights? {
        index < layers.count ? layers[index] : nil
    }
}

/// A source whose tensors are another's multiplied by `scale`.
private struct ScaledWeights<Base: WeightSource>: WeightSource {
    let base: Base
    let scale: Float

    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        var tensor = try base.tensor(named: name, expectedShape: expectedShape)
        for i in tensor.scalars.indices { tensor.scalars[i] *= scale }
        return tensor
    }
}
