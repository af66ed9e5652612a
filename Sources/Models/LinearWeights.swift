import Numerics

/// An `nn.Linear`: `<prefix>.weight` [out, in] and, when the layer has one, `<prefix>.bias` [out].
/// The weight is prepared for the product at load (`PreparedWeight`, in the load's precision) and
/// only that copy is kept.
public struct LinearWeights: Sendable {
    public let weight: PreparedWeight
    public let bias: TensorBuffer?

    public var inFeatures: Int { weight.inFeatures }
    public var outFeatures: Int { weight.outFeatures }

    init(
        from source: some WeightSource, prefix: String, inFeatures: Int, outFeatures: Int, bias hasBias: Bool,
        options: ModelLoadOptions
    ) throws {
        try self.init(
            stacking: [prefix], from: source, inFeatures: inFeatures, outFeatures: outFeatures, bias: hasBias, options: options)
    }

    /// Layers that read the same input, as one: the weights of `prefixes` (each [outFeatures,
    /// inFeatures]) stacked row after row, so their outputs sit side by side in each output row;
    /// their biases likewise.
    init(
        stacking prefixes: [String], from source: some WeightSource, inFeatures: Int, outFeatures: Int, bias hasBias: Bool,
        options: ModelLoadOptions
    ) throws {
        precondition(!prefixes.isEmpty, "at least one layer")
        func stacked(_ name: String, shape: [Int]) throws -> TensorBuffer {
            let parts = try prefixes.map { try source.load("\($0).\(name)", shape: shape) }
            if parts.count == 1 { return parts[0] }
            var scalars: [Float] = []
            scalars.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { scalars.append(contentsOf: UnsafeBufferPointer(start: part.pointer, count: part.count)) }
            return TensorBuffer(try Tensor(shape: [parts.count * shape[0]] + shape.dropFirst(), scalars: scalars))
        }
        let total = prefixes.count * outFeatures
        weight = try options.prepared(
            try stacked("weight", shape: [outFeatures, inFeatures]), outFeatures: total, inFeatures: inFeatures)
        bias = hasBias ? try stacked("bias", shape: [outFeatures]) : nil
    }

    /// y[rows, out] = x[rows, in] · weightᵀ + bias.
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        weight.apply(x, rows: rows, bias: bias.map { UnsafePointer($0.pointer) }, into: y)
    }

    /// y[rows, out] += x[rows, in] · weightᵀ + bias (the residual connection folded into the GEMM).
    func accumulate(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        weight.accumulate(x, rows: rows, bias: bias.map { UnsafePointer($0.pointer) }, into: y)
    }
}
