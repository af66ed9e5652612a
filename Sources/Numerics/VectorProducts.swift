/// Products of single embedding vectors (a query against a label, a text against an image),
/// summed in index order in `Float` so a score is the same bits wherever it is computed.
public enum VectorProducts {
    /// Σ a[i]·b[i] over the shorter of the two.
    public static func dot(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
        zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    }

    /// Euclidean length.
    public static func length(_ v: some Collection<Float>) -> Float {
        v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    }

    /// `v` divided by its length; nil for a vector of zero (or non-finite) length. Each value is
    /// divided, not multiplied by a reciprocal, so a stored unit vector keeps the bits it had.
    public static func unitLength(_ v: some Collection<Float>) -> [Float]? {
        let norm = length(v)
        guard norm > 0, norm.isFinite else { return nil }
        return v.map { $0 / norm }
    }
}
