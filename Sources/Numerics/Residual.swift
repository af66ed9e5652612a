/// The residual connection of a pre-norm transformer block.
///
///     x, y: [count]   x ← x + y
public enum Residual {
    public static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }
}
