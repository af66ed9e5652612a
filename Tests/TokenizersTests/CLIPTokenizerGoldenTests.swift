import Foundation
import Testing

@testable import Tokenizers

/// Ids from transformers 4.57.6 `CLIPTokenizerFast` (tokenizers 0.22.2) on OpenAI's BPE
/// vocabulary, from Tests/Fixtures/tokenizers/clip (training/fixtures/make_tokenizer_goldens.py).
@Suite struct CLIPTokenizerGoldenTests {
    /// Cases where the reference cannot be reproduced, with the reason. Empty: every case matches.
    static let knownDivergences: [String: String] = [:]

    let directory: URL
    let tokenizer: CLIPTokenizer
    let goldens: GoldenSet

    init() throws {
        directory = Fixtures.directory("clip")
        (tokenizer, goldens) = try SharedFixtures.clip.get()
    }

    @Test func everyInputHasExactlyOneBaseline() {
        expectOneBaselinePerInput(goldens, minimumCount: 1000)
    }

    @Test func goldensCoverEveryRequiredCategory() {
        let categories = Set(goldens.cases.map(\.category))
        let required: Set = [
            "english", "chinese", "japanese", "emoji", "accents", "punctuation", "contractions",
            "whitespace", "long", "empty", "numbers", "mixed",
        ]
        #expect(required.isSubset(of: categories), "missing: \(required.subtracting(categories))")
    }

    @Test func idsEqualCLIPTokenizerFastOnEveryGolden() {
        expectEveryGoldenMatches(goldens, knownDivergences: Self.knownDivergences, label: "CLIP") {
            tokenizer.encode($0)
        }
    }

    @Test func longTextsAreTruncatedToSeventySevenWithEndTokenLast() {
        let ids = tokenizer.encode(String(repeating: "a photo of a cat ", count: 100))
        #expect(ids.count == 77)
        #expect(ids.first == 49406)
        #expect(ids.last == 49407)
    }

    @Test func emptyTextIsStartAndEndOnly() {
        #expect(tokenizer.encode("") == [49406, 49407])
    }

    @Test func configuredSpecialTokensAndLength() {
        #expect(tokenizer.maxLength == 77)
        #expect(tokenizer.startTokenID == 49406)
        #expect(tokenizer.endTokenID == 49407)
        #expect(tokenizer.padTokenID == 49407)
        #expect(tokenizer.vocabularySize == 49408)
    }

    @Test func batchKeepsEachTextsLengthWithoutPadding() {
        let batch = tokenizer.encodeBatch(["a photo of a cat", "", "a dog"])
        #expect(batch.ids == [tokenizer.encode("a photo of a cat"), [49406, 49407], tokenizer.encode("a dog")])
        #expect(batch.lengths == [7, 2, 4])
        #expect(batch.longestLength == 7)
    }

    @Test func maxLengthOverrideTruncatesContent() throws {
        let short = try CLIPTokenizer(directory: directory, maxLength: 4)
        #expect(short.encode("a photo of a cat") == [49406, 320, 1125, 49407])
    }
}
