import Foundation

/// BERT's WordPiece tokenizer, identical in ids to transformers' (slow) `BertTokenizer` loaded
/// from the same `vocab.txt` (+ `tokenizer_config.json`), with `truncation=True,
/// max_length=maxLength`, for one sentence.
///
/// Pipeline: special tokens matched in the raw text (`PreTrainedTokenizer.tokenize`'s trie) ->
/// `BertNormalizer` -> `BertPreTokenizer` -> `WordPieceModel` -> `BoundaryTokenPostProcessor`.
/// Token type ids of one sentence are all 0 (`tokenTypeIDs(count:)`).
public struct BertTokenizer: TextTokenizer {
    /// BERT checkpoints' usual `max_position_embeddings`, used when nothing else says.
    public static let defaultMaxLength = 512
    /// `WordpieceTokenizer.max_input_chars_per_word`.
    public static let maxCharactersPerWord = 100

    public let maxLength: Int
    public let startTokenID: Int
    public let endTokenID: Int
    public let padTokenID: Int
    public let unknownTokenID: Int
    public let maskTokenID: Int
    public let vocabularySize: Int
    /// Whether text is lower-cased (`do_lower_case`, default true as in BertTokenizer).
    public let lowercases: Bool
    /// Whether accents are stripped (`strip_accents`, default: exactly when lower-casing).
    public let stripsAccents: Bool

    private let addedTokens: AddedTokenMatcher
    private let basicTokenization: Bool
    private let normalizer: BertNormalizer
    private let preTokenizer: BertPreTokenizer
    let model: WordPieceModel
    private let postProcessor: BoundaryTokenPostProcessor

    /// Loads `vocab.txt` and, when present, `tokenizer_config.json` from `directory`.
    /// - Parameters:
    ///   - maxLength: overrides `model_max_length`; without either, 512.
    ///   - lowercase: overrides `do_lower_case` (as `BertTokenizer.from_pretrained(dir, do_lower_case=...)`).
    public init(directory: URL, maxLength: Int? = nil, lowercase: Bool? = nil) throws(TokenizerError) {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = try TokenizerConfig.load(configURL) ?? TokenizerConfig()
        let vocabulary = try BertVocabulary.load(directory.appendingPathComponent("vocab.txt"))
        let special = { (role: String, fallback: String) in config.specialTokens[role] ?? fallback }
        let roles = [
            ("unk_token", special("unk_token", "[UNK]")), ("sep_token", special("sep_token", "[SEP]")),
            ("pad_token", special("pad_token", "[PAD]")), ("cls_token", special("cls_token", "[CLS]")),
            ("mask_token", special("mask_token", "[MASK]")),
        ]
        func id(_ role: String) throws(TokenizerError) -> Int {
            let token = roles.first { $0.0 == role }?.1 ?? role
            guard let id = vocabulary.tokenToID[Array(token.utf8)] else {
                throw .missingSpecialToken(role: role, token: token)
            }
            return id
        }
        // Checked in the order BertTokenizer's arguments list them, so the first missing one is named.
        self.unknownTokenID = try id("unk_token")
        self.endTokenID = try id("sep_token")
        self.padTokenID = try id("pad_token")
        self.startTokenID = try id("cls_token")
        self.maskTokenID = try id("mask_token")
        self.vocabularySize = vocabulary.size

        // The special tokens, plus any other added token of the config. All are matched in the
        // raw text and kept out of lower-casing, as the slow tokenizer does for special tokens.
        var added: [(content: [Unicode.Scalar], id: Int)] = []
        for (role, token) in roles {
            added.append((Array(token.unicodeScalars), try id(role)))
        }
        for token in config.addedTokens where !roles.contains(where: { $0.1 == token.content }) {
            if token.singleWord {
                throw .unsupported(file: configURL.path, reason: "added token \"\(token.content)\" has single_word=true")
            }
            guard let id = vocabulary.tokenToID[Array(token.content.utf8)], id == token.id else {
                throw .unsupported(
                    file: configURL.path,
                    reason: "added token \"\(token.content)\" (id \(token.id)) is not the vocab.txt entry with that id")
            }
            added.append((Array(token.content.unicodeScalars), id))
        }
        self.addedTokens = AddedTokenMatcher(tokens: added)

        let lowercases = lowercase ?? config.doLowerCase ?? true
        let stripsAccents = lowercases ? config.stripAccents != false : config.stripAccents == true
        self.lowercases = lowercases
        self.stripsAccents = stripsAccents
        self.basicTokenization = config.doBasicTokenize ?? true
        self.normalizer = BertNormalizer(
            lowercases: lowercases, separatesChineseCharacters: config.tokenizeChineseChars ?? true)
        let neverSplit = roles.map(\.1) + config.neverSplit
        self.preTokenizer = BertPreTokenizer(
            stripsAccents: stripsAccents, neverSplit: Set(neverSplit.map { Array($0.unicodeScalars) }))
        self.model = WordPieceModel(
            vocabulary: vocabulary.tokenToID, unknownTokenID: unknownTokenID,
            maxCharactersPerWord: Self.maxCharactersPerWord)

        let length = maxLength ?? config.modelMaxLength ?? Self.defaultMaxLength
        self.maxLength = length
        self.postProcessor = try BoundaryTokenPostProcessor(
            startTokenID: startTokenID, endTokenID: endTokenID, maxLength: length, file: configURL.path)
    }

    /// `encode`, plus whether content was cut to fit `maxLength`.
    ///
    /// `truncated` is true exactly when encoding the whole text would give more content ids than
    /// fit. Words are found one at a time and none is looked up once the content is full. The
    /// one word after that point is still found (in the first whitespace token that is not all
    /// combining marks), because whether it exists decides `truncated`.
    public func encodeReportingTruncation(_ text: String) -> TokenEncoding {
        var content = TruncatingContent(postProcessor)
        let scalars = Array(text.unicodeScalars)
        segments: for segment in addedTokens.split(scalars[...]) {
            switch segment {
            case .token(let id):
                guard content.hasRoom() else { break segments }
                content.append(id)
            case .text(let text):
                // Asked per word, not per segment: a segment without words yields no id, so a
                // full content followed by one was not cut.
                let words = words(text)
                while let word = words.next() {
                    guard content.hasRoom() else { break segments }
                    content.append(contentsOf: model.encode(word: word))
                }
            }
        }
        return content.finish()
    }

    /// BERT's segment ids for a single sentence of `count` tokens: all 0.
    public func tokenTypeIDs(count: Int) -> [Int] {
        [Int](repeating: 0, count: count)
    }

    private func words(_ text: ArraySlice<Unicode.Scalar>) -> AnyIterator<[Unicode.Scalar]> {
        if basicTokenization {
            var words = preTokenizer.split(normalizer.normalize(text))
            return AnyIterator { words.next() }
        }
        // do_basic_tokenize=False: WordPiece straight on the whitespace-split text (after
        // tokenize()'s lower-casing, which does not depend on the basic tokenizer).
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(text.count)
        for scalar in text {
            if lowercases { scalar.appendLowercased(to: &lowered) } else { lowered.append(scalar) }
        }
        var tokens = BertPreTokenizer.WhitespaceSplit(lowered[...])
        return AnyIterator { tokens.next().map(Array.init) }
    }
}
