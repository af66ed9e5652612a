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

/// Unit vectors around `clusters` centres, as real image embeddings are (photos of a few subjects)
/// rather than uniform on the sphere, where every point is nearly equidistant from every other.
/// `spread`: the length of the random offset added to the centre before normalising.
public func clusteredVectors(_ count: Int, dimension: Int, clusters: Int, spread: Float, seed: UInt64) -> [[Float]] {
    var random = TestVectors(seed: seed)
    let centres = random.unitVectors(clusters, dimension: dimension)
    return (0..<count).map { i in
        let noise = random.unitVector(dimension: dimension)
        let raw = zip(centres[i % clusters], noise).map { $0 + spread * $1 }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }
}

/// Unit vectors on a `rank`-dimensional subspace (plus `noise`): embeddings of real images have
/// an intrinsic dimension far below their width, so their nearest neighbours are well separated,
/// which is what approximate indexes rely on. The same `seed` gives the same subspace, so data
/// and queries drawn with different `drawSeed`s share it.
public func lowRankVectors(_ count: Int, dimension: Int, rank: Int, noise: Float, seed: UInt64, drawSeed: UInt64) -> [[Float]] {
    var basisRandom = TestVectors(seed: seed)
    let basis = basisRandom.unitVectors(rank, dimension: dimension)
    var random = TestVectors(seed: drawSeed)
    return (0..<count).map { _ in
        let weights = random.unitVector(dimension: rank)
        let jitter = random.unitVector(dimension: dimension)
        var raw = jitter.map { $0 * noise }
        for (weight, direction) in zip(weights, basis) {
            for j in 0..<dimension { raw[j] += weight * direction[j] }
        }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }
}
