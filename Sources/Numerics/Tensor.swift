/// A dense, row-major array of `Float` with a shape: weights, activations and embeddings.
///
/// Value semantics (copy-on-write through `[Float]`) keep it `Sendable`; hot loops work on
/// `withUnsafeBufferPointer` views of `scalars` instead of indexing element by element.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var scalars: [Float]

    /// Fails with `TensorError.shapeMismatch` when `scalars.count` is not the product of `shape`.
    public init(shape: [Int], scalars: [Float]) throws(TensorError) {
        guard let count = Tensor.elementCount(of: shape), count == scalars.count else {
            throw .shapeMismatch(shape: shape, scalarCount: scalars.count)
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`; `shape` must have non-negative dimensions.
    public init(zeros shape: [Int], value: Float = 0) throws(TensorError) {
        guard let count = Tensor.elementCount(of: shape) else {
            throw .shapeMismatch(shape: shape, scalarCount: 0)
        }
        self.shape = shape
        self.scalars = [Float](repeating: value, count: count)
    }

    /// For callers that built `scalars` from `shape` themselves.
    init(validatedShape shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The `index`-th row of a rank-2 tensor `[rows, columns]`.
    public func row(_ index: Int) -> ArraySlice<Float> {
        let width = shape.last ?? 1
        return scalars[(index * width)..<((index + 1) * width)]
    }

    /// Product of the dimensions, or nil when one is negative or the product overflows `Int`.
    public static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }
}

/// Why a tensor could not be built.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(shape: [Int], scalarCount: Int)

    public var description: String {
        switch self {
        case .shapeMismatch(let shape, let count): "shape \(shape) does not hold \(count) scalars"
        }
    }
}
