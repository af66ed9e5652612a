import Testing

@testable import Tokenizers

/// Each stage of the BERT pipeline on its own, as transformers' BasicTokenizer and
/// WordpieceTokenizer define them.
@Suite struct BertPipelineStageTests {
    func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    func words(_ pre: BertPreTokenizer, _ text: String) -> [String] {
        pre.split(scalars(text)).map { String(String.UnicodeScalarView($0)) }
    }

    @Test func normalizerDropsControlsSpacesOutIdeographsAndComposes() {
        let normalizer = BertNormalizer(lowercases: true, separatesChineseCharacters: true)
        #expect(normalizer.normalize(scalars("A\u{0}b\u{FFFD}c\u{7}\u{AD}")[...]) == scalars("abc"))
        #expect(normalizer.normalize(scalars("我爱AI")[...]) == scalars(" 我  爱 ai"))
        #expect(normalizer.normalize(scalars("\t\u{3000}x\u{A0}")[...]) == scalars("  x "))
        #expect(normalizer.normalize(scalars("Cafe\u{301}")[...]) == scalars("café"))
        // Per-character lower-casing: no final sigma.
        #expect(normalizer.normalize(scalars("ΟΔΟΣ")[...]) == scalars("οδοσ"))
        // Kana and hangul are not "Chinese characters": no spaces around them.
        #expect(normalizer.normalize(scalars("ねこ한")[...]) == scalars("ねこ한"))
    }

    @Test func preTokenizerSplitsWhitespacePunctuationAndStripsAccents() {
        let pre = BertPreTokenizer(stripsAccents: true, neverSplit: [scalars("[CLS]")])
        #expect(words(pre, "hello, world!! [CLS] [cls]") == ["hello", ",", "world", "!", "!", "[CLS]", "[", "cls", "]"])
        #expect(words(pre, "café naïve") == ["cafe", "naive"])
        #expect(words(pre, "a\u{2028}b $5") == ["a", "b", "$", "5"])
        // A word of combining marks only disappears.
        #expect(words(pre, "x \u{301}\u{301} y") == ["x", "y"])
    }

    @Test func preTokenizerKeepsAccentsWhenNotStripping() {
        let pre = BertPreTokenizer(stripsAccents: false, neverSplit: [])
        #expect(words(pre, "café") == ["café"])
    }

    @Test func wordPieceIsGreedyLongestMatchFirst() {
        let vocabulary: [[UInt8]: Int] = [
            Array("un".utf8): 1, Array("una".utf8): 2, Array("##ff".utf8): 3, Array("##aff".utf8): 4,
            Array("##able".utf8): 5, Array("[UNK]".utf8): 0,
        ]
        let model = WordPieceModel(vocabulary: vocabulary, unknownTokenID: 0, maxCharactersPerWord: 10)
        // Longest first: "una" beats "un", so the pieces are una ##ff ##able (not un ##aff ##able).
        #expect(model.encode(word: scalars("unaffable")) == [2, 3, 5])
        // No piece covers the trailing "x": the whole word is unknown, not just its end.
        #expect(model.encode(word: scalars("unaffablex")) == [0])
        #expect(model.encode(word: scalars("unaffableunaffable")) == [0])
    }
}
