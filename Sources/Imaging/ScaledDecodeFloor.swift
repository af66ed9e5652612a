/// The smallest decoded picture preprocessing can use without enlarging it: a codec that can
/// decode straight to a fraction of the stored size (JPEG's DCT scaling) picks the smallest
/// fraction that stays at or above this floor, so the exact resize that follows only ever shrinks.
public enum ScaledDecodeFloor: Sendable, Equatable {
    /// The shorter side at least this long (CLIP's `size.shortest_edge`); orientation cannot
    /// change which side is shorter.
    case shortestEdge(Int)
    /// The upright picture (after EXIF orientation) at least this wide and this tall (a fixed
    /// resize target); a rotated photo's stored width is its upright height.
    case upright(width: Int, height: Int)

    /// Whether a stored `width` × `height` picture is large enough; `swapsAxes` when its EXIF
    /// orientation turns it by a quarter.
    func admits(width: Int, height: Int, swapsAxes: Bool) -> Bool {
        switch self {
        case .shortestEdge(let edge):
            return min(width, height) >= edge
        case .upright(let minWidth, let minHeight):
            let (uprightWidth, uprightHeight) = swapsAxes ? (height, width) : (width, height)
            return uprightWidth >= minWidth && uprightHeight >= minHeight
        }
    }
}
