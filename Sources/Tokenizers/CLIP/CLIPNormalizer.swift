import Foundation

/// CLIPTokenizerFast's normaliser (transformers `convert_slow_tokenizer.CLIPConverter`):
/// `Sequence([NFC(), Replace(Regex("\s+"), " "), Lowercase()])`.
struct CLIPNormalizer: Sendable {
    // text -> scalars: NFC, every run of White_Space collapsed to one U+0020, then each scalar
    // lower-cased on its own (tokenizers' `NormalizedString::lowercase` maps per char, so a final
    // capital sigma becomes `σ`, not `ς`).
    func normalize(_ text: String) -> [Unicode.Scalar] {
        let composed = text.precomposedStringWithCanonicalMapping
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(composed.unicodeScalars.count)
        var inWhitespace = false
        for scalar in composed.unicodeScalars {
            if scalar.isRegexWhitespace {
                if !inWhitespace { output.append(" ") }
                inWhitespace = true
                continue
            }
            inWhitespace = false
            scalar.appendLowercased(to: &output)
        }
        return output
    }
}
