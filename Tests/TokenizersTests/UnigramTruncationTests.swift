import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// Truncation keeps a prefix; the ids and `truncated` must be those of encoding the whole text
/// and cutting afterwards (transformers' `truncation=True`).
@Suite struct UnigramTruncationTests {
    static let unlimited = 1 << 30

    /// Texts mixing Chinese, English, special tokens (`<mask>` strips whitespace before it),
    /// whitespace runs and oddities, emoji and long runs without spaces.
    static func randomInput(_ random: inout SplitMix64) -> String {
        let pieces = [
            "两只猫", "a photo of a cat", "<mask>", "</s>", "<s>", "😀👍", "Ｆｕｌｌ", "e\u{301}", "\u{3000}", "\u{200B}",
            String(repeating: "猫", count: 90), String(repeating: "ab", count: 120), "\u{1}", "ΟΔΟΣ",
        ]
        let separators = [" ", "", "  ", "\t", "\n", "\u{A0}", " <mask> "]
        return randomText(pieces: pieces, separators: separators, maxPieces: 30, &random)
    }

    @Test func idsAndFlagEqualEncodingEverythingThenCutting() throws {
        let directory = Fixtures.directory("unigram-xlmr")
        let everything = try UnigramTokenizer(directory: directory, maxLength: Self.unlimited)
        let limited = try [2, 5].map { try UnigramTokenizer(directory: directory, maxLength: $0) }
            + [try SharedFixtures.unigram.get().tokenizer]
        var random = SplitMix64(seed: 17)
        let texts = (0..<100).map { _ in Self.randomInput(&random) }
        let truncatedCount = expectCutAfterEncodingEverything(everything: everything, limited: limited, texts: texts)
        #expect(truncatedCount > 80, "the random texts should often be cut")
    }

    @Test func longTextKeepsTheEndTokenLast() throws {
        let tokenizer = try SharedFixtures.unigram.get().tokenizer
        let encoding = tokenizer.encodeReportingTruncation(String(repeating: "a photo of a cat ", count: 50))
        #expect(encoding.ids.count == 64)
        #expect(encoding.ids.first == 0)
        #expect(encoding.ids.last == 2)
        #expect(encoding.truncated)
    }

    /// Trailing whitespace after a full content is stripped by the normaliser: nothing was cut.
    @Test func whitespaceAfterAFullContentIsNotTruncation() throws {
        let short = try UnigramTokenizer(directory: Fixtures.directory("unigram-xlmr"), maxLength: 4)
        #expect(short.encodeReportingTruncation("两只") == TokenEncoding(ids: [0, 4, 147, 2], truncated: true))
        #expect(short.encodeReportingTruncation("x  \t ").truncated == false)
    }
}
