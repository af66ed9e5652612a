/// The residual connection of a pre-norm transformer block.
///
///     x, y: [count]   x ← x + y
public enum Residual {
    public static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        let whole = count - count % Lanes.scalarCount
        for i in stride(from: 0, to: whole, by: Lanes.scalarCount) { x.storeLanes(x.lanes(at: i) + y.lanes(at: i), at: i) }
        for i in whole..<count { x[i] += y[i] }
    }
}
