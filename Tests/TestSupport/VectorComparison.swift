/// Comparisons of embeddings and rows with their references, the same arithmetic for every
/// test target so tolerances mean the same everywhere.

/// Cosine similarity of two vectors, computed in `T`.
public func cosine<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> T {
    let dot = zip(a, b).reduce(T(0)) { $0 + $1.0 * $1.1 }
    let na = a.reduce(T(0)) { $0 + $1 * $1 }.squareRoot()
    let nb = b.reduce(T(0)) { $0 + $1 * $1 }.squareRoot()
    return dot / (na * nb)
}

/// The largest absolute element-wise difference; infinite when the lengths differ, so a shape
/// mismatch never passes as "close".
public func maxAbsDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> T {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(T(0)) { max($0, abs($1.0 - $1.1)) }
}

/// `v` scaled to unit length.
public func normalized<T: BinaryFloatingPoint>(_ v: [T]) -> [T] {
    let norm = v.reduce(T(0)) { $0 + $1 * $1 }.squareRoot()
    return v.map { $0 / norm }
}

/// Cosine and max abs difference of two rows (in Double), with a window around the worst
/// element for failure messages.
public struct RowComparison: Sendable {
    public let cosine: Double
    public let maxAbs: Double
    public let report: String

    public init(_ actual: ArraySlice<Float>, _ expected: ArraySlice<Float>) {
        let a = actual.map(Double.init), e = expected.map(Double.init)
        var dot = 0.0, na = 0.0, ne = 0.0, worst = 0.0, worstIndex = 0
        for i in 0..<min(a.count, e.count) {
            dot += a[i] * e[i]
            na += a[i] * a[i]
            ne += e[i] * e[i]
            let d = abs(a[i] - e[i])
            if d > worst { (worst, worstIndex) = (d, i) }
        }
        cosine = a.count == e.count ? dot / max((na * ne).squareRoot(), .leastNonzeroMagnitude) : 0
        maxAbs = a.count == e.count ? worst : .infinity
        let window = max(0, worstIndex - 1)..<min(worstIndex + 3, a.count, e.count)
        report = "cosine \(cosine), max abs \(maxAbs) at \(worstIndex): actual \(window.map { a[$0] }) expected \(window.map { e[$0] })"
    }
}
