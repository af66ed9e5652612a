import Foundation
import Testing

@testable import Tokenizers

/// Whole-pipeline behaviours of the XLM-R-style fixture worth naming on their own. Expected ids
/// are `XLMRobertaTokenizerFast`'s (transformers 4.57.6, tokenizers 0.22.2) on the same text.
@Suite struct UnigramTokenizerBehaviourTests {
    let tokenizer: UnigramTokenizer

    init() throws {
        tokenizer = try SharedFixtures.unigram.get().tokenizer
    }

    @Test func configuredSpecialTokensAndLength() {
        #expect(tokenizer.maxLength == 64)
        #expect(tokenizer.startTokenID == 0)
        #expect(tokenizer.endTokenID == 2)
        #expect(tokenizer.padTokenID == 1)
        #expect(tokenizer.unknownTokenID == 3)
        #expect(tokenizer.vocabularySize == 3002)
    }

    @Test func emptyTextIsStartAndEndOnly() {
        #expect(tokenizer.encode("") == [0, 2])
    }

    @Test func tokensSpellEachIDWithMetaspaces() {
        #expect(tokenizer.tokens("两只猫") == ["<s>", "\u{2581}", "\u{4E24}", "\u{53EA}", "\u{732B}", "</s>"])
        #expect(tokenizer.token(forID: 3001) == "<mask>")
        #expect(tokenizer.token(forID: 99_999) == "<id 99999>")
    }

    /// `<mask>` has lstrip: the whitespace before it (any White_Space) belongs to the token.
    @Test func maskTakesTheWhitespaceBeforeIt() {
        #expect(tokenizer.encode("a <mask>") == [0, 7, 3001, 2])
        #expect(tokenizer.encode("a<mask>") == [0, 7, 3001, 2])
        #expect(tokenizer.encode("a \u{3000}<mask>b") == [0, 7, 3001, 4, 352, 2])
    }

    /// Special tokens in the raw text are matched before normalisation and each following
    /// segment gets its own metaspace prefix.
    @Test func specialTokensInTheTextSplitIt() {
        #expect(tokenizer.encode("x</s>y") == [0, 4, 454, 2, 4, 18, 2])
        #expect(tokenizer.encode("<s>") == [0, 0, 2])
    }

    /// nmt_nfkc through tokenizers' grapheme rule: `ａ` + U+0301 is one 5-byte cluster whose
    /// shortest matching rule (`ａ` -> `a`) replaces all of it, so the accent is gone.
    @Test func fullWidthLetterWithCombiningMarkLosesTheMark() {
        #expect(tokenizer.encode("\u{FF41}\u{301}b") == [0, 7, 352, 2])
    }

    /// nmt_nfkc leaves `か` + U+3099 decomposed and the vocabulary has only `が`: the pair is
    /// unknown, though Swift's `String` calls the two spellings equal.
    @Test func decomposedKanaIsNotItsPrecomposedPiece() {
        #expect(tokenizer.encode("\u{304B}\u{3099}") == [0, 4, 3, 2])
        #expect(tokenizer.encode("\u{304C}") == [0, 4, 2841, 2])
    }

    @Test func runsOfSpacesBecomeOneMetaspace() {
        #expect(tokenizer.encode("a  b") == [0, 7, 4, 352, 2])
    }

    @Test func batchKeepsEachTextsLengthWithoutPadding() {
        let batch = tokenizer.encodeBatch(["两只猫", ""])
        #expect(batch.ids == [[0, 4, 147, 1620, 2993, 2], [0, 2]])
        #expect(batch.lengths == [6, 2])
    }
}
