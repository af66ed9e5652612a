/// Scales each row to unit Euclidean length, as `x / x.norm(dim=-1, keepdim=True)` in CLIP.
///
///     x: [rows, width] in place
///
/// A zero row stays zero rather than becoming NaN.
public enum L2Normalize {
    public static func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows {
            let row = x + r * width
            var squares: Float = 0
            for i in 0..<width { squares += row[i] * row[i] }
            guard squares > 0 else { continue }
            let inverse = 1 / squares.squareRoot()
            for i in 0..<width { row[i] *= inverse }
        }
    }
}
