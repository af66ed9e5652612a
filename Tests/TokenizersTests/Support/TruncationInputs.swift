import TestSupport
import Testing
import Tokenizers

/// A random text of up to `maxPieces` pieces, each followed by a separator, both drawn from the
/// given lists: the inputs of the truncation tests.
func randomText(
    pieces: [String], separators: [String], maxPieces: Int, _ random: inout SplitMix64
) -> String {
    var text = ""
    for _ in 0..<Int.random(in: 0...maxPieces, using: &random) {
        text += pieces.randomElement(using: &random)!
        text += separators.randomElement(using: &random)!
    }
    return text
}

/// What truncation must give: `everything` (ids of a text encoded with a limit nothing reaches)
/// cut to `maxLength` with its boundary tokens kept, truncated when content was dropped.
func cutAfterEncodingEverything(_ everything: [Int], maxLength: Int) -> TokenEncoding {
    let content = everything.dropFirst().dropLast()
    let kept = content.prefix(maxLength - 2)
    return TokenEncoding(ids: [everything[0]] + kept + [everything[everything.count - 1]], truncated: kept.count < content.count)
}

/// Expects every limited tokenizer to give, for each text, what `everything` gives cut to its
/// `maxLength`. Returns how many of those encodings were truncated, so callers can make sure
/// their inputs exercise the limit.
func expectCutAfterEncodingEverything(
    everything: some TextTokenizer, limited: [any TextTokenizer], texts: [String]
) -> Int {
    var truncatedCount = 0
    for (index, text) in texts.enumerated() {
        let all = everything.encode(text)
        for short in limited {
            let expected = cutAfterEncodingEverything(all, maxLength: short.maxLength)
            if expected.truncated { truncatedCount += 1 }
            #expect(short.encodeReportingTruncation(text) == expected, "text \(index), maxLength \(short.maxLength): \(text.debugDescription)")
        }
    }
    return truncatedCount
}
