import Foundation

/// The parts of a Hugging Face `tokenizer_config.json` that change token ids. Every field is
/// optional: a directory with only vocabulary files gets each tokenizer's documented defaults.
struct TokenizerConfig: Sendable, Equatable {
    /// transformers writes `1e30` ("no limit") when a checkpoint does not set one; that is nil here.
    var modelMaxLength: Int?
    var doLowerCase: Bool?
    /// nil means "strip accents exactly when lower-casing" (BertTokenizer's `strip_accents=None`).
    var stripAccents: Bool?
    var tokenizeChineseChars: Bool?
    /// BertTokenizer's `do_basic_tokenize` (false: WordPiece straight on whitespace-split text).
    var doBasicTokenize: Bool?
    /// BertTokenizer's `never_split`: words kept whole by its basic tokenizer.
    var neverSplit: [String] = []
    /// Role (`bos_token`, `cls_token`, ...) to token text.
    var specialTokens: [String: String] = [:]
    /// `added_tokens_decoder`: tokens matched in the text before the model runs, by id.
    var addedTokens: [AddedToken] = []

    static func load(_ url: URL) throws(TokenizerError) -> TokenizerConfig? {
        guard let data = try TokenizerFile.readIfPresent(url) else { return nil }
        let raw: RawConfig
        do {
            raw = try JSONDecoder().decode(RawConfig.self, from: data)
        } catch {
            throw .malformed(file: url.path, reason: "\(error)")
        }
        var config = TokenizerConfig()
        if let length = raw.model_max_length, length.isFinite, length >= 1, length < 1e9 {
            config.modelMaxLength = Int(length)
        }
        config.doLowerCase = raw.do_lower_case
        config.stripAccents = raw.strip_accents
        config.tokenizeChineseChars = raw.tokenize_chinese_chars
        config.doBasicTokenize = raw.do_basic_tokenize
        config.neverSplit = raw.never_split ?? []
        let roles: [(String, RawToken?)] = [
            ("bos_token", raw.bos_token), ("eos_token", raw.eos_token), ("unk_token", raw.unk_token),
            ("pad_token", raw.pad_token), ("cls_token", raw.cls_token), ("sep_token", raw.sep_token),
            ("mask_token", raw.mask_token),
        ]
        for (role, token) in roles {
            if let token { config.specialTokens[role] = token.content }
        }
        for (key, token) in raw.added_tokens_decoder ?? [:] {
            guard let id = Int(key), id >= 0 else {
                throw .malformed(file: url.path, reason: "added_tokens_decoder key \"\(key)\" is not a token id")
            }
            config.addedTokens.append(
                AddedToken(
                    content: token.content, id: id, normalized: token.normalized ?? true,
                    special: token.special ?? false, singleWord: token.single_word ?? false))
        }
        config.addedTokens.sort { $0.id < $1.id }
        return config
    }
}

/// A token the tokenizer matches in the raw or normalised text before the model runs
/// (special tokens such as `<|endoftext|>` or `[CLS]`).
struct AddedToken: Sendable, Equatable {
    var content: String
    var id: Int
    /// true: matched in the normalised text (after NFC, lower-casing ...); false: in the raw text.
    var normalized: Bool
    var special: Bool
    var singleWord: Bool
}

/// JSON shape; names mirror the file's keys.
private struct RawConfig: Decodable {
    var model_max_length: Double?
    var do_lower_case: Bool?
    var strip_accents: Bool?
    var tokenize_chinese_chars: Bool?
    var do_basic_tokenize: Bool?
    var never_split: [String]?
    var bos_token: RawToken?
    var eos_token: RawToken?
    var unk_token: RawToken?
    var pad_token: RawToken?
    var cls_token: RawToken?
    var sep_token: RawToken?
    var mask_token: RawToken?
    var added_tokens_decoder: [String: RawAddedToken]?
}

/// A special token is written either as a string or as an AddedToken object with `content`.
private struct RawToken: Decodable {
    var content: String

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            content = text
        } else {
            content = try RawAddedToken(from: decoder).content
        }
    }
}

private struct RawAddedToken: Decodable {
    var content: String
    var normalized: Bool?
    var special: Bool?
    var single_word: Bool?
}
