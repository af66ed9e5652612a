import Foundation

/// The text-wide half of transformers' slow BERT tokenisation (`PreTrainedTokenizer.tokenize`
/// then `BasicTokenizer.tokenize` up to its whitespace split), applied to text between special
/// tokens:
/// 1. lower-case each character on its own when `do_lower_case` (`tokenize` lower-cases with the
///    pattern `(.+?)`, one character per match, so Python's final-sigma rule never applies; the
///    basic tokenizer's second `lower()` is then a no-op);
/// 2. `_clean_text`: drop U+0000, U+FFFD and control characters, turn whitespace into spaces;
/// 3. `_tokenize_chinese_chars`: spaces around each CJK ideograph;
/// 4. NFC.
struct BertNormalizer: Sendable {
    let lowercases: Bool
    let separatesChineseCharacters: Bool

    // scalars -> scalars
    func normalize(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(text.count)
        for scalar in text {
            if lowercases { scalar.appendLowercased(to: &lowered) } else { lowered.append(scalar) }
        }
        var cleaned = String.UnicodeScalarView()
        for scalar in lowered {
            if scalar.value == 0 || scalar.value == 0xFFFD || scalar.isBertControl { continue }
            if scalar.isBertWhitespace {
                cleaned.append(" ")
            } else if separatesChineseCharacters && scalar.isCJKIdeograph {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        return Array(String(cleaned).precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
