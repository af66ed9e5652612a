import Numerics

/// An `nn.LayerNorm`: `<prefix>.weight` and `<prefix>.bias`, both [width].
public struct LayerNormWeights: Sendable {
    public let weight: TensorBuffer
    public let bias: TensorBuffer
    public let eps: Float

    init(from source: some WeightSource, prefix: String, width: Int, eps: Float) throws {
        weight = try source.load("\(prefix).weight", shape: [width])
        bias = try source.load("\(prefix).bias", shape: [width])
        self.eps = eps
    }

    /// y[rows, width] = LayerNorm(x[rows, width]); x and y may alias.
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        LayerNorm.apply(x, rows: rows, width: weight.count, gamma: weight.pointer, beta: bias.pointer, eps: eps, into: y)
    }
}
