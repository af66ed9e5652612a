/// Character classes the references' patterns use, by Unicode general category.
extension Unicode.Scalar {
    /// Regex `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    var isLetter: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// Regex `\p{N}`: Nd, Nl, No.
    var isNumber: Bool {
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// Regex `\s` in Oniguruma's Unicode mode (tokenizers' `Regex`): the White_Space property.
    var isRegexWhitespace: Bool { properties.isWhitespace }

    /// Full lower-case mapping of this scalar alone, without context (Rust `char::to_lowercase`,
    /// and Python `str.lower` on one character): `İ` becomes `i` + U+0307, `Σ` always `σ`.
    func appendLowercased(to output: inout [Unicode.Scalar]) {
        if properties.changesWhenLowercased {
            output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(self)
        }
    }
}
