import Foundation
import Testing

@testable import Tokenizers

/// Ids from transformers 4.57.6 `XLMRobertaTokenizerFast` (tokenizers 0.22.2) on an XLM-R-style
/// SentencePiece Unigram tokenizer, from Tests/Fixtures/tokenizers/unigram-xlmr
/// (training/fixtures/make_unigram_fixtures.py), with `truncation=True, max_length=64`.
@Suite struct UnigramTokenizerGoldenTests {
    /// Cases where the reference cannot be reproduced, with the reason. Empty: every case matches.
    static let knownDivergences: [String: String] = [:]

    let directory: URL
    let tokenizer: UnigramTokenizer
    let goldens: GoldenSet

    init() throws {
        directory = Fixtures.directory("unigram-xlmr")
        (tokenizer, goldens) = try SharedFixtures.unigram.get()
    }

    @Test func everyInputHasExactlyOneBaseline() {
        expectOneBaselinePerInput(goldens, minimumCount: 300)
    }

    @Test func goldensCoverEveryRequiredCategory() {
        let categories = Set(goldens.cases.map(\.category))
        let required: Set = [
            "chinese", "mixed", "emoji", "long", "whitespace", "full-width", "combining", "control", "empty", "special",
        ]
        #expect(required.isSubset(of: categories), "missing: \(required.subtracting(categories))")
    }

    @Test func idsEqualXLMRobertaTokenizerFastOnEveryGolden() {
        expectEveryGoldenMatches(goldens, knownDivergences: Self.knownDivergences, label: "Unigram") {
            tokenizer.encode($0)
        }
    }
}
