import Numerics

/// One batch's pass through a tower's bottlenecks: the [tokens, r] activation is allocated once
/// per batch and reused by every adapted layer (no allocation inside the layer loop).
public struct DomainAdapterPass {
    let tower: DomainAdapterTower
    let bottleneckActivations: TensorBuffer

    /// `width`, `layers`: the encoder's. An adapter validated against another CLIP is refused
    /// here rather than read out of bounds.
    public init(tower: DomainAdapterTower, tokens: Int, width: Int, layers: Int) throws {
        guard tower.side.width == width, tower.layers.count <= layers else {
            throw ModelError.invalidInput(
                "the domain adapter's side has width \(tower.side.width) and layers \(tower.side.layers); the encoder has width \(width) and \(layers) layers")
        }
        self.tower = tower
        bottleneckActivations = try TensorBuffer(shape: [tokens, tower.side.bottleneck])
    }

    /// What the encoder layer `index` adds beside its MLP, or nil when it has no bottleneck.
    func branch(atLayer index: Int) -> DomainBottleneckBranch? {
        tower.bottleneck(atLayer: index).map { DomainBottleneckBranch(weights: $0, activations: bottleneckActivations) }
    }
}

/// The bottleneck of one adapted layer, ready to run over one batch.
struct DomainBottleneckBranch {
    let weights: DomainBottleneckWeights
    let activations: TensorBuffer

    /// AdaptFormer's parallel branch, added onto the layer's output in place.
    ///
    ///     u:      [rows, W]   ln2(h), the MLP's input
    ///     hidden: [rows, W]   += scale · up(relu(down(u)))   (scale folded into `up`)
    ///
    /// Reference: training/adaptclip_training/domain_adapter.py, `Bottleneck.forward` and the
    /// hook `_parallel_hook` on `encoder.layers[l].mlp`.
    func accumulate(_ u: UnsafePointer<Float>, rows: Int, into hidden: UnsafeMutablePointer<Float>) {
        let z = activations.pointer
        weights.down.apply(u, rows: rows, into: z)
        for i in 0..<(rows * weights.down.outFeatures) where !(z[i] > 0) { z[i] = 0 }
        weights.up.accumulate(z, rows: rows, into: hidden)
    }
}
