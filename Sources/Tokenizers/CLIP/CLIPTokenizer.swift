import Foundation

/// CLIP's byte-level BPE tokenizer, identical in ids to transformers' `CLIPTokenizerFast` built
/// from the same `vocab.json` + `merges.txt` (+ `tokenizer_config.json`), with
/// `truncation=True, max_length=maxLength`.
///
/// Pipeline (transformers `convert_slow_tokenizer.CLIPConverter`): added tokens matched in the
/// normalised text -> `CLIPNormalizer` -> `CLIPPreTokenizer` -> `BytePairEncoder` ->
/// `BoundaryTokenPostProcessor`.
public struct CLIPTokenizer: TextTokenizer {
    public static let defaultMaxLength = 77
    /// Words whose ids are memoised (tokenizers' BPE cache size); later words are encoded each time.
    public static let defaultWordCacheCapacity = WordCache.Limits.defaultWordCount
    /// Bytes the memoised words and their ids may take together (see `WordCache.chargedBytes`).
    public static let defaultWordCacheByteBudget = WordCache.Limits.defaultByteBudget
    /// Words longer than this many UTF-8 bytes are never memoised.
    public static let longestCachedWordBytes = WordCache.Limits.defaultLongestWordBytes

    public let maxLength: Int
    public let startTokenID: Int
    public let endTokenID: Int
    public let padTokenID: Int
    public let unknownTokenID: Int
    public let vocabularySize: Int

    private let tokenToID: [String: Int]
    /// Added tokens matched before normalisation, then those matched after it (tokenizers'
    /// `AddedVocabulary::extract_and_normalize` order).
    private let rawAddedTokens: AddedTokenMatcher
    private let normalizedAddedTokens: AddedTokenMatcher
    private let normalizer = CLIPNormalizer()
    private let preTokenizer = CLIPPreTokenizer()
    let model: BytePairEncoder
    private let postProcessor: BoundaryTokenPostProcessor

    /// Loads `vocab.json`, `merges.txt` and, when present, `tokenizer_config.json` from `directory`.
    /// - Parameter maxLength: overrides `model_max_length`; without either, 77 (CLIP's context).
    /// - Parameter cacheCapacity: words memoised by the shared, thread-safe merge cache.
    /// - Parameter cacheByteBudget: bytes those words and their ids may take together.
    public init(
        directory: URL, maxLength: Int? = nil, cacheCapacity: Int = CLIPTokenizer.defaultWordCacheCapacity,
        cacheByteBudget: Int = CLIPTokenizer.defaultWordCacheByteBudget
    ) throws(TokenizerError) {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = try TokenizerConfig.load(configURL) ?? TokenizerConfig()
        let special = { (role: String, fallback: String) in config.specialTokens[role] ?? fallback }
        // CLIPTokenizer's defaults: unk, eos and pad are all <|endoftext|>.
        let bos = special("bos_token", "<|startoftext|>")
        let eos = special("eos_token", "<|endoftext|>")
        let unk = special("unk_token", "<|endoftext|>")
        let pad = special("pad_token", "<|endoftext|>")

        let vocabulary = try CLIPVocabulary.load(
            vocabURL: directory.appendingPathComponent("vocab.json"),
            mergesURL: directory.appendingPathComponent("merges.txt"),
            unknownToken: unk,
            cacheLimits: WordCache.Limits(wordCount: cacheCapacity, byteBudget: cacheByteBudget))
        let tokenToID = vocabulary.tokenToID
        func id(_ role: String, _ token: String) throws(TokenizerError) -> Int {
            guard let id = tokenToID[token] else { throw .missingSpecialToken(role: role, token: token) }
            return id
        }
        self.startTokenID = try id("bos_token", bos)
        self.endTokenID = try id("eos_token", eos)
        self.unknownTokenID = try id("unk_token", unk)
        self.padTokenID = try id("pad_token", pad)
        self.tokenToID = tokenToID
        self.model = vocabulary.encoder

        // Without a config, transformers registers the special tokens as normalised added tokens.
        var added = config.addedTokens
        if added.isEmpty {
            let specials = [(bos, startTokenID), (eos, endTokenID), (unk, unknownTokenID), (pad, padTokenID)]
            for (content, id) in specials where !added.contains(where: { $0.content == content }) {
                added.append(AddedToken(content: content, id: id, normalized: true, special: true, singleWord: false))
            }
        }
        // Added tokens may carry ids past vocab.json's (tokenizers appends them to the vocabulary).
        self.vocabularySize = max(tokenToID.count, (added.map(\.id).max() ?? -1) + 1)
        if let singleWord = added.first(where: \.singleWord) {
            throw .unsupported(file: configURL.path, reason: "added token \"\(singleWord.content)\" has single_word=true")
        }
        let normalizer = self.normalizer
        self.rawAddedTokens = AddedTokenMatcher(
            tokens: added.filter { !$0.normalized }.map { (Array($0.content.unicodeScalars), $0.id) })
        self.normalizedAddedTokens = AddedTokenMatcher(
            tokens: added.filter(\.normalized).map { (normalizer.normalize($0.content), $0.id) })

        let length = maxLength ?? config.modelMaxLength ?? Self.defaultMaxLength
        self.maxLength = length
        self.postProcessor = try BoundaryTokenPostProcessor(
            startTokenID: startTokenID, endTokenID: endTokenID, maxLength: length, file: configURL.path)
    }

    /// `encode`, plus whether content was cut to fit `maxLength` (the service reports it).
    ///
    /// `truncated` is true exactly when encoding the whole text would give more content ids than
    /// fit. Once the content is full, no further word is pre-tokenised or encoded: the answer
    /// only needs to know that one more exists. A word that overflows is still encoded whole, as
    /// the reference does before truncating (BPE's first ids depend on the whole word).
    public func encodeReportingTruncation(_ text: String) -> TokenEncoding {
        var content = TruncatingContent(postProcessor)
        let scalars = Array(text.unicodeScalars)
        segments: for rawSegment in rawAddedTokens.split(scalars[...]) {
            let normalizedSegments: [AddedTokenMatcher.Segment]
            switch rawSegment {
            case .token(let id):
                normalizedSegments = [.token(id)]
            case .text(let raw):
                let normalized = normalizer.normalize(String(String.UnicodeScalarView(raw)))
                normalizedSegments = normalizedAddedTokens.split(normalized[...])
            }
            for segment in normalizedSegments {
                switch segment {
                case .token(let id):
                    guard content.hasRoom() else { break segments }
                    content.append(id)
                case .text(let text):
                    // Asked per piece, not per segment: a segment of whitespace yields no id,
                    // so a full content followed by one was not cut.
                    var pieces = preTokenizer.split(text)
                    while pieces.hasAnotherPiece() {
                        guard content.hasRoom() else { break segments }
                        guard let piece = pieces.next() else { break }
                        content.append(contentsOf: model.encode(word: Self.utf8(piece)))
                    }
                }
            }
        }
        return content.finish()
    }

    /// The vocabulary id of one token spelling (`"cat</w>"`, `"<|endoftext|>"`), if any.
    public func id(ofToken token: String) -> Int? {
        tokenToID[token]
    }

    /// Words currently memoised by the shared merge cache, and the bytes they are charged.
    var cachedWordCount: Int { model.cachedWordCount }
    var cachedWordBytes: Int { model.cachedBytes }

    private static func utf8(_ scalars: ArraySlice<Unicode.Scalar>) -> [UInt8] {
        // Exactly sized: the array may become a key of the word cache, which charges its capacity.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.reduce(0) { $0 + UTF8.width($1) })
        for scalar in scalars {
            UTF8.encode(scalar) { bytes.append($0) }
        }
        return bytes
    }
}
