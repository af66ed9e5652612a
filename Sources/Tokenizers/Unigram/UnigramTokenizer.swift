import Foundation

/// A SentencePiece Unigram tokenizer read from a Hugging Face `tokenizer.json` (XLM-R and
/// M-CLIP's text tower), identical in ids to tokenizers 0.22.2 as transformers'
/// `XLMRobertaTokenizerFast` runs it with `truncation=True, max_length=maxLength`.
///
/// Pipeline (tokenizers' `encode` of one sequence): added tokens matched in the raw text ->
/// `UnigramNormalizer` (nmt_nfkc `Precompiled`, strip, space runs) on each segment between them
/// -> added tokens matched in the normalised text -> `UnigramPreTokenizer` (`Metaspace`) ->
/// `UnigramModel` (Viterbi) per piece -> `BoundaryTokenPostProcessor` (`<s> ... </s>`).
public struct UnigramTokenizer: TextTokenizer {
    /// XLM-R's `model_max_length`, used when neither the caller nor tokenizer_config.json says.
    public static let defaultMaxLength = 512

    public let maxLength: Int
    public let startTokenID: Int
    public let endTokenID: Int
    public let padTokenID: Int
    public let unknownTokenID: Int
    public let vocabularySize: Int

    private let rawAddedTokens: AddedTokenMatcher
    private let normalizedAddedTokens: AddedTokenMatcher
    private let addedTokenWhitespace: AddedTokenWhitespace
    private let normalizer: UnigramNormalizer
    private let preTokenizer: UnigramPreTokenizer
    let model: UnigramModel
    private let postProcessor: BoundaryTokenPostProcessor
    /// Added tokens by id, for `tokens(_:)` on ids past the model's vocabulary.
    private let addedTokenContent: [Int: String]

    /// Loads `tokenizer.json` and, when present, `tokenizer_config.json` (`model_max_length`,
    /// `pad_token`) from `directory`.
    /// - Parameter maxLength: overrides `model_max_length`; without either, 512.
    public init(directory: URL, maxLength: Int? = nil) throws(TokenizerError) {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let definition = try UnigramTokenizerDefinition.load(tokenizerURL)
        let config = try TokenizerConfig.load(configURL) ?? TokenizerConfig()

        model = definition.model
        normalizer = definition.normalizer
        preTokenizer = definition.preTokenizer
        unknownTokenID = model.unknownID
        let added = definition.addedTokens
        vocabularySize = max(model.pieces.count, (added.map(\.id).max() ?? -1) + 1)
        addedTokenContent = Dictionary(added.map { ($0.id, $0.content) }, uniquingKeysWith: { _, last in last })

        let boundary = definition.boundaryTokens
        for (role, id) in [("post_processor start token", boundary.startID), ("post_processor end token", boundary.endID)]
        where !(0..<vocabularySize).contains(id) {
            throw .malformed(file: tokenizerURL.path, reason: "\(role) id \(id) is outside the vocabulary of \(vocabularySize)")
        }
        startTokenID = boundary.startID
        endTokenID = boundary.endID
        let pad = config.specialTokens["pad_token"] ?? "<pad>"
        // Compared as bytes: `String` equality would also accept a canonically equivalent spelling.
        guard let padID = added.last(where: { $0.content.utf8.elementsEqual(pad.utf8) })?.id ?? definition.model.id(of: pad) else {
            throw .missingSpecialToken(role: "pad_token", token: pad)
        }
        padTokenID = padID

        let normalizer = definition.normalizer
        rawAddedTokens = AddedTokenMatcher(
            tokens: added.filter { !$0.normalized }.map { (Array($0.content.unicodeScalars), $0.id) })
        // tokenizers matches a normalised token by its content run through the normaliser.
        normalizedAddedTokens = AddedTokenMatcher(
            tokens: added.filter(\.normalized).map { (Array(normalizer.normalize($0.content).unicodeScalars), $0.id) })
        addedTokenWhitespace = AddedTokenWhitespace(
            lstripIDs: Set(added.filter(\.lstrip).map(\.id)), rstripIDs: Set(added.filter(\.rstrip).map(\.id)))

        let length = maxLength ?? config.modelMaxLength ?? Self.defaultMaxLength
        self.maxLength = length
        postProcessor = try BoundaryTokenPostProcessor(
            startTokenID: startTokenID, endTokenID: endTokenID, maxLength: length, file: configURL.path)
    }

    /// `encode`, plus whether content was cut to fit `maxLength`.
    ///
    /// `truncated` is true exactly when encoding the whole text would give more content ids than
    /// fit. Each text segment is normalised and pre-tokenised whole (both look at the whole
    /// segment), but no piece is run through the model once the content is full.
    public func encodeReportingTruncation(_ text: String) -> TokenEncoding {
        var content = TruncatingContent(postProcessor)
        let scalars = Array(text.unicodeScalars)
        segments: for rawSegment in addedTokenWhitespace.apply(rawAddedTokens.split(scalars[...])) {
            let normalizedSegments: [AddedTokenMatcher.Segment]
            var segmentStartsInput = false
            switch rawSegment {
            case .token(let id):
                normalizedSegments = [.token(id)]
            case .text(let raw):
                let normalized = Array(normalizer.normalize(String(String.UnicodeScalarView(raw))).unicodeScalars)
                normalizedSegments = addedTokenWhitespace.apply(normalizedAddedTokens.split(normalized[...]))
                segmentStartsInput = raw.startIndex == scalars.startIndex
            }
            for segment in normalizedSegments {
                switch segment {
                case .token(let id):
                    guard content.hasRoom() else { break segments }
                    content.append(id)
                case .text(let text):
                    let startsInput = segmentStartsInput && text.startIndex == 0
                    for piece in preTokenizer.split(Array(text), startsInput: startsInput) {
                        guard content.hasRoom() else { break segments }
                        content.append(contentsOf: model.encode(Array(String(String.UnicodeScalarView(piece)).utf8)))
                    }
                }
            }
        }
        return content.finish()
    }

    /// The vocabulary spelling of each id `encode` gives (`<s>`, `▁猫`, `<unk>` ...), for
    /// inspecting a tokenisation (`adaptclip tokenize`).
    public func tokens(_ text: String) -> [String] {
        encode(text).map(token(forID:))
    }

    /// The spelling of one id; an id the tokenizer never gives is shown as `<id N>`.
    public func token(forID id: Int) -> String {
        if let content = addedTokenContent[id] { return content }
        return model.pieces.indices.contains(id) ? model.pieces[id].text : "<id \(id)>"
    }
}
