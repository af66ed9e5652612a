/// What the engine needs from any text tokenizer (CLIP BPE or BERT WordPiece): ids for one text
/// with the start/end tokens already added and truncated to `maxLength`. Padding is not the
/// tokenizer's job: the text encoders run each batch only up to its longest real length.
public protocol TextTokenizer: Sendable {
    /// Longest id sequence `encode` returns, start and end tokens included.
    var maxLength: Int { get }
    /// First id of every sequence (`<|startoftext|>` for CLIP, `[CLS]` for BERT).
    var startTokenID: Int { get }
    /// Last id of every sequence (`<|endoftext|>` for CLIP, `[SEP]` for BERT); kept even when truncating.
    var endTokenID: Int { get }
    /// Id a model should use for positions past a text's length, if it pads at all.
    var padTokenID: Int { get }
    /// Number of ids in the vocabulary, special tokens included (an id is always below this).
    var vocabularySize: Int { get }

    func encode(_ text: String) -> [Int]

    /// `encode`, plus whether the text was cut to fit `maxLength`.
    func encodeReportingTruncation(_ text: String) -> TokenEncoding
}

/// Ids of one text and whether its end was cut off by truncation.
public struct TokenEncoding: Sendable, Equatable {
    public let ids: [Int]
    public let truncated: Bool

    public init(ids: [Int], truncated: Bool) {
        self.ids = ids
        self.truncated = truncated
    }
}

extension TextTokenizer {
    /// Every tokenizer computes ids and the truncation flag together; this drops the flag.
    public func encode(_ text: String) -> [Int] {
        encodeReportingTruncation(text).ids
    }

    /// Encodes each text independently; `TokenBatch.lengths` are the attention lengths.
    public func encodeBatch(_ texts: [String]) -> TokenBatch {
        TokenBatch(ids: texts.map { encode($0) })
    }
}
