import Foundation

/// Deterministic pseudo-random unit vectors (SplitMix64), so a failing test reproduces.
struct TestVectors {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unitVector(dimension: Int) -> [Float] {
        let raw = (0..<dimension).map { _ in Float(Double(next() >> 11) / Double(1 << 53)) * 2 - 1 }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    mutating func unitVectors(_ count: Int, dimension: Int) -> [[Float]] {
        (0..<count).map { _ in unitVector(dimension: dimension) }
    }
}

/// A fresh temporary directory per test, removed by the caller's `defer`.
func makeTemporaryDirectory(_ label: String = #function) throws -> URL {
    let name = "adaptclip-retrieval-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Exact inner-product top-k, the reference the index is compared with.
func exactTopK(_ query: [Float], _ vectors: [[Float]], ids: [Int64], k: Int) -> [Int64] {
    let scored = zip(vectors, ids).map { v, id in (zip(v, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }, id) }
    return scored.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(k).map(\.1)
}
