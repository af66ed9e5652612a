import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// The BERT tokenizer stops at the limit with the ids and `truncated` of encoding the whole
/// text and cutting afterwards.
@Suite struct BertTruncationTests {
    static let unlimited = 1 << 30

    static func randomInput(_ random: inout SplitMix64) -> String {
        let pieces = [
            "我爱", "人工智能", "hello", "World", "[SEP]", "[CLS]", "[MASK]", "!!", "，", "café", "😀", "42",
            "\u{301}\u{301}", "\u{0}", "ｆｕｌｌ", String(repeating: "長", count: 30), String(repeating: "q", count: 150),
        ]
        let separators = [" ", "", "  ", "\t", "\u{3000}", " [SEP] "]
        return randomText(pieces: pieces, separators: separators, maxPieces: 30, &random)
    }

    func expectTruncationMatchesCutting(directory: URL, seed: UInt64) throws {
        let everything = try BertTokenizer(directory: directory, maxLength: Self.unlimited)
        let limited = try [2, 5, 16].map { try BertTokenizer(directory: directory, maxLength: $0) }
        var random = SplitMix64(seed: seed)
        let texts = (0..<150).map { _ in Self.randomInput(&random) }
        let truncatedCount = expectCutAfterEncodingEverything(everything: everything, limited: limited, texts: texts)
        #expect(truncatedCount > 150, "the random texts should often be cut")
    }

    @Test func idsAndFlagEqualEncodingEverythingThenCutting() throws {
        try expectTruncationMatchesCutting(directory: Fixtures.directory("bert-zh"), seed: 512)
    }

    @Test func withoutBasicTokenizationToo() throws {
        let source = Fixtures.directory("bert-zh")
        let scratch = try Fixtures.scratchCopy(of: source, files: ["vocab.txt", "tokenizer_config.json"])
        defer { TemporaryDirectory.remove(scratch) }
        let configURL = scratch.appendingPathComponent("tokenizer_config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] ?? [:]
        config["do_basic_tokenize"] = false
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        try expectTruncationMatchesCutting(directory: scratch, seed: 513)
    }

    @Test func whitespaceAfterAFullContentIsNotTruncation() throws {
        let short = try BertTokenizer(directory: Fixtures.directory("bert-zh"), maxLength: 4)
        let full = short.encodeReportingTruncation("我 [SEP]")
        #expect(full.truncated == false)
        #expect(full.ids.count == 4)
        // A segment of whitespace, or of combining marks that accent stripping removes, has no words.
        #expect(short.encodeReportingTruncation("我 [SEP] \t") == full)
        #expect(short.encodeReportingTruncation("我 [SEP] \u{301}\u{301} ") == full)
        #expect(short.encodeReportingTruncation("我 [SEP] [SEP]").truncated)
        #expect(short.encodeReportingTruncation("我 [SEP]你").truncated)
    }

    @Test func wordsAreFoundOnlyAsAsked() {
        let text = Array(("a, b " + String(repeating: "x", count: 100_000)).unicodeScalars)
        var words = BertPreTokenizer(stripsAccents: true, neverSplit: []).split(text)
        let first = [words.next(), words.next(), words.next()].map { $0.map { String(String.UnicodeScalarView($0)) } }
        #expect(first == ["a", ",", "b"])
        #expect(words.tokens.position == 4)
    }
}
