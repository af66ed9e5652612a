import Foundation

/// The normalisers SentencePiece-based `tokenizer.json` files use, applied in order (a
/// `Sequence` is flattened into `steps`). Each mirrors the tokenizers normaliser of the same name.
struct UnigramNormalizer: Sendable {
    enum Step: Sendable {
        case precompiled(PrecompiledNormalizer)
        case replace(ReplacePattern, content: [Unicode.Scalar])
        /// Removes White_Space scalars (Rust `char::is_whitespace`) at either end.
        case strip(left: Bool, right: Bool)
        case nfc, nfd, nfkc, nfkd
        /// Rust `char::to_lowercase` per scalar, without context.
        case lowercase
        /// Adds its text in front of a non-empty text.
        case prepend([Unicode.Scalar])
    }

    let steps: [Step]

    static let identity = UnigramNormalizer(steps: [])

    func normalize(_ text: String) -> String {
        var text = text
        for step in steps {
            text = Self.apply(step, to: text)
        }
        return text
    }

    private static func apply(_ step: Step, to text: String) -> String {
        switch step {
        case .precompiled(let normalizer):
            return normalizer.normalize(text)
        case .replace(let pattern, let content):
            return string(pattern.replaceAll(in: Array(text.unicodeScalars), with: content))
        case .strip(let left, let right):
            var scalars = Array(text.unicodeScalars)[...]
            if left { scalars = scalars.drop(while: \.properties.isWhitespace) }
            if right {
                while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
            }
            return string(scalars)
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase:
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars { scalar.appendLowercased(to: &lowered) }
            return string(lowered)
        case .prepend(let prefix):
            return text.isEmpty ? text : string(prefix) + text
        }
    }

    private static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
