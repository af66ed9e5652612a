import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// Truncation keeps a prefix, so the tokenizer stops at the limit; its ids and `truncated` must
/// be those of encoding the whole text and cutting afterwards (transformers' `truncation=True`).
@Suite struct CLIPTruncationTests {
    static let unlimited = 1 << 30

    let directory: URL
    let tokenizer: CLIPTokenizer

    init() throws {
        directory = Fixtures.directory("clip")
        tokenizer = try SharedFixtures.clip.get().tokenizer
    }

    /// Texts mixing words, added tokens, whitespace runs (trailing ones too), symbol runs,
    /// contractions, emoji, CJK and long words.
    static func randomInput(_ random: inout SplitMix64) -> String {
        let pieces = [
            "a", "photo", "of", "the", "cat", "it's", "we'll", "<|endoftext|>", "<|startoftext|>", "!!!", "42",
            "😀👍", "猫が好き", "Café", "ΟΔΟΣ", "\u{301}", String(repeating: "ab", count: 150),
            String(repeating: "x", count: 400),
        ]
        let separators = [" ", "", "  ", "\t", "\n", " <|endoftext|> "]
        return randomText(pieces: pieces, separators: separators, maxPieces: 40, &random)
    }

    @Test func idsAndFlagEqualEncodingEverythingThenCutting() throws {
        let everything = try CLIPTokenizer(directory: directory, maxLength: Self.unlimited)
        let limited = try [2, 9].map { try CLIPTokenizer(directory: directory, maxLength: $0) } + [tokenizer]
        var random = SplitMix64(seed: 77)
        let texts = (0..<100).map { _ in Self.randomInput(&random) }
        let truncatedCount = expectCutAfterEncodingEverything(everything: everything, limited: limited, texts: texts)
        #expect(truncatedCount > 80, "the random texts should often be cut")
    }

    @Test func whitespaceAfterAFullContentIsNotTruncation() throws {
        let short = try CLIPTokenizer(directory: directory, maxLength: 4)
        #expect(short.encodeReportingTruncation("a <|endoftext|> \n ") == TokenEncoding(ids: [49406, 320, 49407, 49407], truncated: false))
        #expect(short.encodeReportingTruncation("a cat ") == TokenEncoding(ids: [49406, 320, 2368, 49407], truncated: false))
        #expect(short.encodeReportingTruncation("a cat <|endoftext|>").truncated)
        #expect(short.encodeReportingTruncation("a cat dog").truncated)
    }

    /// Distinct one-id words, more than fit: only those that fit are encoded (the cache holds
    /// every encoded word of this length, so it counts them).
    @Test func wordsAfterTheLimitAreNeverEncoded() throws {
        let fresh = try CLIPTokenizer(directory: directory)
        let vocabulary = try JSONDecoder().decode(
            [String: Int].self, from: Data(contentsOf: directory.appendingPathComponent("vocab.json")))
        let words = Array(vocabulary.keys.filter { $0.hasSuffix("</w>") && $0.dropLast(4).allSatisfy(\.isLowercase) }
            .map { String($0.dropLast(4)) }.filter { $0.count >= 3 }.sorted()
            .lazy.filter { tokenizer.encode($0).count == 3 }.prefix(200))
        #expect(words.count == 200)
        let encoding = fresh.encodeReportingTruncation(words.joined(separator: " "))
        #expect(encoding.truncated)
        #expect(encoding.ids.count == 77)
        #expect(fresh.cachedWordCount == 75)
    }

    @Test func preTokenizerScansNothingPastThePiecesAskedFor() {
        let text = Array(("a b " + String(repeating: "x", count: 100_000)).unicodeScalars)
        var pieces = CLIPPreTokenizer().split(text[...])
        let first = pieces.next().map(Array.init)
        let second = pieces.next().map(Array.init)
        let more = pieces.hasAnotherPiece()
        #expect(first == ["a"])
        #expect(second == ["b"])
        #expect(more)
        #expect(pieces.position == 4)
    }

    /// The reference encodes a word whole before cutting, and BPE's first ids depend on the whole
    /// word, so one huge word is merged whole (in O(n log n)) and then cut.
    @Test func oneHugeWordIsMergedWholeThenCut() {
        let word = [UInt8](repeating: UInt8(ascii: "a"), count: 32 * 1024)
        var work = BytePairEncoder.Work()
        let merged = tokenizer.model.merge(word, work: &work)
        let encoding = tokenizer.encodeReportingTruncation(String(decoding: word, as: UTF8.self))
        #expect(encoding == TokenEncoding(ids: [49406] + merged.prefix(75) + [49407], truncated: true))
    }
}
