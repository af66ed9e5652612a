/// Which text path embeds a query.
public enum QueryLanguage: String, Sendable, CaseIterable, Codable {
    /// CLIP's own text encoder.
    case en
    /// The Chinese path into CLIP's text space: a trained adapter over the frozen Chinese
    /// encoder, or a published encoder (Taiyi-CLIP, M-CLIP); Chinese-CLIP's own text tower.
    case zh
    /// Chinese text fed straight into CLIP's English text encoder: kept to measure what the
    /// adapter buys, never chosen by `auto`.
    case zhRaw = "zh-raw"
    /// `zh` when the CJK share of the text's letters reaches `LanguageRouter.cjkThreshold`, else
    /// `en`; `zh-raw` when Chinese was picked but no Chinese path is served (never an error).
    case auto
}

/// Chooses the text path for `auto` from the script of the text itself.
public enum LanguageRouter {
    /// Share of CJK ideographs among letters (CJK + Latin + other alphabetic scalars) at or above
    /// which `auto` picks Chinese. 0.3 routes "红色的 car" (3 of 6) to Chinese and an English
    /// sentence with one brand name in Hanzi to English: a query with any real amount of
    /// Chinese is better served by the encoder that reads all of it.
    public static let cjkThreshold = 0.3

    /// `en` or `zh` for `.auto`; other languages unchanged.
    public static func resolve(_ language: QueryLanguage, text: String) -> QueryLanguage {
        guard language == .auto else { return language }
        return cjkShare(of: text) >= cjkThreshold ? .zh : .en
    }

    /// CJK ideographs / letters; 0 for a text with no letters (digits, punctuation, emoji, empty).
    public static func cjkShare(of text: String) -> Double {
        var cjk = 0
        var letters = 0
        for scalar in text.unicodeScalars {
            if isCJKIdeograph(scalar) {
                cjk += 1
                letters += 1
            } else if scalar.properties.isAlphabetic {
                letters += 1
            }
        }
        return letters == 0 ? 0 : Double(cjk) / Double(letters)
    }

    /// The CJK blocks BERT's basic tokenizer splits per character (transformers'
    /// `BasicTokenizer._is_chinese_char`): the unified ideographs, their extensions and the
    /// compatibility ideographs.
    public static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default:
            false
        }
    }
}
