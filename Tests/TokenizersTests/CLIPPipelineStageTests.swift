import Testing

@testable import Tokenizers

/// Each stage of the CLIP pipeline on its own, as transformers' CLIPConverter defines it.
@Suite struct CLIPPipelineStageTests {
    func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    func pieces(_ text: String) -> [String] {
        CLIPPreTokenizer().split(scalars(text)[...]).map { String(String.UnicodeScalarView($0)) }
    }

    @Test func normalizerComposesCollapsesWhitespaceAndLowercases() {
        let normalizer = CLIPNormalizer()
        #expect(normalizer.normalize("Cafe\u{301}  \t\n PHOTO") == scalars("café photo"))
        #expect(normalizer.normalize("\u{3000}x\u{A0}\u{2028}y") == scalars(" x y"))
        // Per-scalar lower-casing: no final sigma, İ keeps its combining dot.
        #expect(normalizer.normalize("ΟΔΟΣ") == scalars("οδοσ"))
        #expect(normalizer.normalize("İ") == scalars("i\u{307}"))
        // Zero-width space is not White_Space: it survives normalisation.
        #expect(normalizer.normalize("a\u{200B}b") == scalars("a\u{200B}b"))
    }

    @Test func preTokenizerSplitsContractionsLettersDigitsAndSymbolRuns() {
        #expect(pieces("it's a dog's 42nd bone!!") == ["it", "'s", "a", "dog", "'s", "4", "2", "nd", "bone", "!!"])
        #expect(pieces("they've we'll i'd 'sup") == ["they", "'ve", "we", "'ll", "i", "'d", "'s", "up"])
        #expect(pieces("!'s") == ["!'", "s"])
        #expect(pieces("猫が好き😀👍") == ["猫が好き", "😀👍"])
        #expect(pieces("  ") == [])
    }

    @Test func byteAlphabetMapsPrintableBytesToThemselvesAndTheRestPast255() {
        #expect(ByteLevelAlphabet.symbol(for: UInt8(ascii: "a")) == "a")
        #expect(ByteLevelAlphabet.symbol(for: 0x20) == "\u{120}")  // "Ġ"
        #expect(ByteLevelAlphabet.symbol(for: 0x00) == "\u{100}")
        #expect(Set(ByteLevelAlphabet.scalars).count == 256)
    }

    @Test func postProcessorWrapsAndKeepsEndTokenWhenTruncating() throws {
        let post = try BoundaryTokenPostProcessor(startTokenID: 1, endTokenID: 2, maxLength: 5, file: "test")
        #expect(post.process([]) == [1, 2])
        #expect(post.process([7, 8, 9]) == [1, 7, 8, 9, 2])
        #expect(post.process([7, 8, 9, 10, 11]) == [1, 7, 8, 9, 2])
    }

    @Test func addedTokensMatchLeftmostLongest() throws {
        let matcher = AddedTokenMatcher(tokens: [(scalars("<a>"), 1), (scalars("<a>b"), 2)])
        let segments = matcher.split(scalars("x<a>b<a>")[...])
        try #require(segments.count == 3)
        #expect(segments[1] == .token(2))
        #expect(segments[2] == .token(1))
    }
}
