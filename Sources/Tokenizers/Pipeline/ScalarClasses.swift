/// Character classes the references' patterns use, by Unicode general category.
///
/// ASCII is answered without the property tables: a property look-up costs more than the rest of
/// the pipeline's work per scalar, and most text is ASCII.
extension Unicode.Scalar {
    /// Regex `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    var isLetter: Bool {
        if isASCII { return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        return switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// Regex `\p{N}`: Nd, Nl, No.
    var isNumber: Bool {
        if isASCII { return value >= 0x30 && value <= 0x39 }
        return switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// Regex `\s` in Oniguruma's Unicode mode (tokenizers' `Regex`): the White_Space property.
    var isRegexWhitespace: Bool {
        if isASCII { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// Full lower-case mapping of this scalar alone, without context (Rust `char::to_lowercase`,
    /// and Python `str.lower` on one character): `İ` becomes `i` + U+0307, `Σ` always `σ`.
    func appendLowercased(to output: inout [Unicode.Scalar]) {
        if isASCII {
            output.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value) | 0x20) : self)
        } else if properties.changesWhenLowercased {
            output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(self)
        }
    }
}

/// Character classes of transformers' BERT basic tokenizer (`models/bert/tokenization_bert.py`,
/// `tokenization_utils._is_whitespace/_is_control/_is_punctuation`) and of Python's `str.split()`.
extension Unicode.Scalar {
    /// Python `str.isspace()`: what `whitespace_tokenize` (`text.strip().split()`) splits on.
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default: false
        }
    }

    /// `_is_whitespace`: space, tab, newline, carriage return, or category Zs.
    var isBertWhitespace: Bool {
        if self == " " || self == "\t" || self == "\n" || self == "\r" { return true }
        // The only ASCII Zs is the space.
        return !isASCII && properties.generalCategory == .spaceSeparator
    }

    /// `_is_control`: any category C* (Cc, Cf, Cs, Co, Cn) except tab, newline and carriage return.
    var isBertControl: Bool {
        if self == "\t" || self == "\n" || self == "\r" { return false }
        // ASCII's only C* scalars are the Cc controls.
        if isASCII { return value < 0x20 || value == 0x7F }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// `_is_punctuation`: every non-alphanumeric printable ASCII character, or any category P*.
    var isBertPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<128: return false
        default: break
        }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// `BasicTokenizer._is_chinese_char`: the CJK Unified Ideographs blocks (not kana or hangul).
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }
}
