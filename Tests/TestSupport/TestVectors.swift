import Foundation

/// Deterministic pseudo-random unit vectors (SplitMix64), so a failing test reproduces.
public struct TestVectors {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { generator.next() }

    public mutating func unitVector(dimension: Int) -> [Float] {
        let raw = (0..<dimension).map { _ in Float(Double(next() >> 11) / Double(1 << 53)) * 2 - 1 }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    public mutating func unitVectors(_ count: Int, dimension: Int) -> [[Float]] {
        (0..<count).map { _ in unitVector(dimension: dimension) }
    }
}

/// Exact inner-product top-k, the reference the index is compared with.
public func exactTopK(_ query: [Float], _ vectors: [[Float]], ids: [Int64], k: Int) -> [Int64] {
    let scored = zip(vectors, ids).map { v, id in (zip(v, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }, id) }
    return scored.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(k).map(\.1)
}
