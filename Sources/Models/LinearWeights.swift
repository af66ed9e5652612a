import Numerics

/// An `nn.Linear`: `<prefix>.weight` [out, in] and, when the layer has one, `<prefix>.bias` [out].
public struct LinearWeights: Sendable {
    public let weight: TensorBuffer
    public let bias: TensorBuffer?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    init(from source: some WeightSource, prefix: String, inFeatures: Int, outFeatures: Int, bias hasBias: Bool) throws {
        weight = try source.load("\(prefix).weight", shape: [outFeatures, inFeatures])
        bias = hasBias ? try source.load("\(prefix).bias", shape: [outFeatures]) : nil
    }

    /// y[rows, out] = x[rows, in] · weightᵀ + bias.
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        Linear.apply(
            x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, bias: bias.map { UnsafePointer($0.pointer) },
            outFeatures: outFeatures, into: y)
    }

    /// y[rows, out] += x[rows, in] · weightᵀ + bias (the residual connection folded into the GEMM).
    func accumulate(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        Linear.accumulate(
            x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, bias: bias.map { UnsafePointer($0.pointer) },
            outFeatures: outFeatures, into: y)
    }
}
