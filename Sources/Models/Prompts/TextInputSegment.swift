import Numerics

/// One piece of a text encoder input at the token-embedding level: token ids (looked up in
/// CLIP's token embedding table) or vectors given directly (a learned prompt's context).
public enum TextInputSegment: Sendable {
    case tokens([Int])
    /// [n, text hidden_size] rows inserted as they are.
    case vectors(Tensor)

    var length: Int {
        switch self {
        case .tokens(let ids): ids.count
        case .vectors(let rows): rows.shape.first ?? 0
        }
    }
}
