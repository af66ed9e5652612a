/// What a `Replace` normaliser looks for. tokenizers compiles any `Regex` with Oniguruma; the
/// converters of SentencePiece tokenizers write only literals and `" {2,}"` (runs of spaces), so
/// those two shapes are implemented and every other regex is refused at load rather than
/// matched differently.
struct ReplacePattern: Sendable, Equatable {
    /// The scalars to find, in order.
    let literal: [Unicode.Scalar]
    /// When set, `literal` is one scalar and a match is a run of at least this many of it (greedy).
    let minimumRepeat: Int?

    static func string(_ text: String) -> ReplacePattern? {
        let scalars = Array(text.unicodeScalars)
        return scalars.isEmpty ? nil : ReplacePattern(literal: scalars, minimumRepeat: nil)
    }

    /// Parses the supported regex shapes: a literal without metacharacters (a backslash escapes
    /// one), or one character followed by `+` or `{n,}`.
    static func regex(_ source: String) -> ReplacePattern? {
        var scalars: [Unicode.Scalar] = []
        var escaped = false
        var remaining = Array(source.unicodeScalars)[...]
        while let scalar = remaining.first {
            remaining = remaining.dropFirst()
            if escaped {
                guard !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else { return nil }
                scalars.append(scalar)
                escaped = false
                continue
            }
            if scalar == "\\" {
                escaped = true
                continue
            }
            if metacharacters.contains(scalar) {
                guard scalars.count == 1, let count = repeatCount(String(String.UnicodeScalarView([scalar] + remaining)))
                else { return nil }
                return ReplacePattern(literal: scalars, minimumRepeat: count)
            }
            scalars.append(scalar)
        }
        guard !escaped, !scalars.isEmpty else { return nil }
        return ReplacePattern(literal: scalars, minimumRepeat: nil)
    }

    private static let metacharacters: Set<Unicode.Scalar> = [".", "^", "$", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|"]

    /// `+` is one or more; `{n,}` is n or more. Anything else (`{n}`, `{n,m}`, `*`) is refused.
    private static func repeatCount(_ quantifier: String) -> Int? {
        if quantifier == "+" { return 1 }
        guard quantifier.hasPrefix("{"), quantifier.hasSuffix(",}") else { return nil }
        guard let count = Int(quantifier.dropFirst().dropLast(2)), count >= 1 else { return nil }
        return count
    }

    /// Non-overlapping leftmost matches replaced by `content`, scanning left to right.
    func replaceAll(in text: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var position = 0
        while position < text.count {
            let length = matchLength(in: text, at: position)
            if length > 0 {
                output.append(contentsOf: content)
                position += length
            } else {
                output.append(text[position])
                position += 1
            }
        }
        return output
    }

    private func matchLength(in text: [Unicode.Scalar], at position: Int) -> Int {
        if let minimumRepeat {
            var end = position
            while end < text.count, text[end] == literal[0] { end += 1 }
            return end - position >= minimumRepeat ? end - position : 0
        }
        guard text.count - position >= literal.count else { return 0 }
        for offset in literal.indices where text[position + offset] != literal[offset] { return 0 }
        return literal.count
    }
}
