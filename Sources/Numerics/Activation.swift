import Foundation

/// The MLP non-linearities CLIP checkpoints name in `hidden_act`.
///
///     x: [count] in place
///
/// References: transformers/activations.py — `QuickGELUActivation` (x · σ(1.702 x), the
/// OpenAI checkpoints) and `GELUActivation` (exact, x · Φ(x) through erf). Both run sixteen
/// lanes at a time (`VectorExp`, `VectorErf`) with a scalar tail.
public enum Activation: String, Sendable, Equatable, CaseIterable {
    case quickGELU = "quick_gelu"
    case gelu = "gelu"

    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { _, range in
            applySerially(x + range.lowerBound, count: range.count)
        }
    }

    private func applySerially(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let whole = count - count % Lanes.scalarCount
        switch self {
        case .quickGELU:
            for i in stride(from: 0, to: whole, by: Lanes.scalarCount) {
                x.storeLanes(Self.quickGELU(x.lanes(at: i)), at: i)
            }
        case .gelu:
            for i in stride(from: 0, to: whole, by: Lanes.scalarCount) {
                x.storeLanes(Self.gelu(x.lanes(at: i)), at: i)
            }
        }
        // The tail through the same lane function, so every element gets identical arithmetic.
        if whole < count {
            let tail = x.lanes(at: whole, count: count - whole, padding: 0)
            x.storeLanes(self == .quickGELU ? Self.quickGELU(tail) : Self.gelu(tail), at: whole, count: count - whole)
        }
    }

    /// x · σ(1.702 x) = x / (1 + e^(-1.702 x)).
    @inline(__always)
    static func quickGELU(_ v: Lanes) -> Lanes {
        v / (1 + VectorExp.exp(-1.702 * v))
    }

    /// x · Φ(x) = x · ½ (1 + erf(x / √2)).
    @inline(__always)
    static func gelu(_ v: Lanes) -> Lanes {
        v * VectorErf.normalCDF(v)
    }
}
