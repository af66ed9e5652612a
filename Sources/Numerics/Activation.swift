import Foundation

/// The MLP non-linearities CLIP checkpoints name in `hidden_act`.
///
///     x: [count] in place
///
/// References: transformers/activations.py — `QuickGELUActivation` (x · σ(1.702 x), the
/// OpenAI checkpoints; eight lanes at a time through `VectorExp`) and `GELUActivation`
/// (exact, x · Φ(x) through erf).
public enum Activation: String, Sendable, Equatable, CaseIterable {
    case quickGELU = "quick_gelu"
    case gelu = "gelu"

    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { _, range in
            applySerially(x + range.lowerBound, count: range.count)
        }
    }

    private func applySerially(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .quickGELU:
            var i = 0
            while i + 8 <= count {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                let y = v / (1 + VectorExp.exp(-1.702 * v))
                UnsafeMutableRawPointer(x + i).storeBytes(of: y, as: SIMD8<Float>.self)
                i += 8
            }
            for i in i..<count {
                let v = x[i]
                x[i] = v / (1 + expf(-1.702 * v))
            }
        case .gelu:
            let inverseSqrt2: Float = 0.70710678118654752440
            for i in 0..<count {
                let v = x[i]
                x[i] = 0.5 * v * (1 + erff(v * inverseSqrt2))
            }
        }
    }
}
