/// One text's vector in CLIP's joint space (L2-normalised) and how it was made.
public struct TextEmbedding: Sendable, Equatable {
    public let vector: [Float]
    /// Tokens the encoder read, boundary tokens included.
    public let tokenCount: Int
    /// The text was longer than the encoder's context and its end was not read.
    public let truncated: Bool
    /// The path actually taken (`auto` resolved).
    public let language: QueryLanguage
    /// Model (and adapter version) that produced it: the key of caches and of audit trails.
    public let producer: String
}
