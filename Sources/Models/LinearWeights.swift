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

    /// Layers that read the same input, as one: their weights stacked row after row (outputs
    /// side by side in each output row), their biases likewise. All parts have the same
    /// `inFeatures` and all or none have a bias (the caller builds the parts from one config).
    init(stacking parts: [LinearWeights]) throws {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.inFeatures == parts[0].inFeatures }, "stacked layers share their input")
        precondition(parts.allSatisfy { ($0.bias == nil) == (parts[0].bias == nil) }, "stacked layers all have a bias or none")
        func concatenated(_ buffers: [TensorBuffer], shape: [Int]) throws -> TensorBuffer {
            var scalars: [Float] = []
            scalars.reserveCapacity(buffers.reduce(0) { $0 + $1.count })
            for buffer in buffers { scalars.append(contentsOf: UnsafeBufferPointer(start: buffer.pointer, count: buffer.count)) }
            return TensorBuffer(try Tensor(shape: shape, scalars: scalars))
        }
        let outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
        weight = try concatenated(parts.map(\.weight), shape: [outFeatures, parts[0].inFeatures])
        bias = parts[0].bias == nil ? nil : try concatenated(parts.compactMap(\.bias), shape: [outFeatures])
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
