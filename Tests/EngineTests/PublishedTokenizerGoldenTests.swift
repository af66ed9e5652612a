import Foundation
import TestSupport
import Testing
import Tokenizers
@testable import Engine

/// The tokenizer the service builds from each converted published directory — through
/// `ModelDirectory.tokenizer(of:)`, the loader `adaptclip tokenize --model` and the engine use —
/// against transformers on every string of the directory's token_goldens.json
/// (training/fixtures/make_published_token_goldens.py: BertTokenizer for Taiyi-CLIP and
/// Chinese-CLIP, XLMRobertaTokenizerFast for M-CLIP, truncation=True at 64 tokens).
@Suite struct PublishedTokenizerGoldenTests {
    static let shapes = ["taiyi-type", "mclip-type", "chinese-clip-type"]
    static let minimumInputs = 300

    /// Why the documented class and AutoTokenizer can disagree, and the only reason accepted here.
    /// U+1FABF GOOSE was assigned in Unicode 15.0; the reference's Python 3.11 `unicodedata` is
    /// Unicode 14.0, so the slow BertTokenizer deletes it as unassigned (Cn), while the Rust tables
    /// of BertTokenizerFast and Swift's know it as a symbol ([UNK]) — as in BertTokenizerGoldenTests.
    static let unicode15Scalar: Unicode.Scalar = "\u{1FABF}"

    /// token_goldens.json: the inputs, the reference's ids for each, and AutoTokenizer's ids where
    /// it disagrees with the documented class.
    struct TokenGoldens: Decodable {
        struct Input: Decodable {
            let id: String
            let category: String
            let text: String
        }

        let inputs: [Input]
        let ids: [String: [Int]]
        let auto_tokenizer_differs: [String: [Int]]

        static func load(_ shape: String) throws -> TokenGoldens {
            try JSONDecoder().decode(
                TokenGoldens.self, from: Data(contentsOf: publishedFixture(shape).appendingPathComponent("token_goldens.json")))
        }
    }

    @Test(arguments: shapes)
    func everyInputHasExactlyOneBaselineAndTheRequiredCategoriesAreThere(shape: String) throws {
        let goldens = try TokenGoldens.load(shape)
        #expect(goldens.inputs.count >= Self.minimumInputs)
        #expect(Set(goldens.inputs.map(\.id)).count == goldens.inputs.count, "duplicate ids")
        #expect(Set(goldens.inputs.map(\.id)) == Set(goldens.ids.keys), "inputs and baselines disagree")
        let required: Set = [
            "empty", "chinese", "traditional", "mixed", "emoji", "long", "whitespace", "full-width", "combining",
            "control", "canonical",
        ]
        let categories = Set(goldens.inputs.map(\.category))
        #expect(required.isSubset(of: categories), "missing: \(required.subtracting(categories))")
        #expect(goldens.ids.values.contains { $0.count == 64 }, "no input reaches the 64-token limit")
    }

    @Test(arguments: shapes)
    func theConvertedDirectorysTokenizerGivesTransformersIdsOnEveryInput(shape: String) throws {
        let goldens = try TokenGoldens.load(shape)
        let tokenizer = try ModelDirectory.tokenizer(of: publishedFixture(shape))
        var differing: [String] = []
        var equalToAutoTokenizer = 0
        for input in goldens.inputs {
            let expected = goldens.ids[input.id] ?? []
            let actual = tokenizer.encode(input.text)
            if actual == expected { continue }
            // Where the two transformers classes disagree because of the Unicode 15 goose, the
            // Swift tokenizer must give AutoTokenizer's ids; any other difference is a failure.
            if let auto = goldens.auto_tokenizer_differs[input.id], actual == auto,
               input.text.unicodeScalars.contains(Self.unicode15Scalar) {
                equalToAutoTokenizer += 1
                continue
            }
            differing.append(differing.count < 8 ? Self.describe(input, expected: expected, actual: actual) : input.id)
        }
        let identical = goldens.inputs.count - differing.count - equalToAutoTokenizer
        print("\(shape): \(identical) of \(goldens.inputs.count) identical"
            + (equalToAutoTokenizer > 0 ? "; the other \(equalToAutoTokenizer) (U+1FABF) identical to AutoTokenizer's" : ""))
        #expect(identical >= Self.minimumInputs)
        #expect(differing.isEmpty, "\(shape): \(differing.count) differ\n\(differing.joined(separator: "\n"))")
    }

    @Test(arguments: shapes)
    func theTwoReferenceClassesDisagreeOnlyOnTheUnicode15Goose(shape: String) throws {
        let goldens = try TokenGoldens.load(shape)
        let texts = Dictionary(uniqueKeysWithValues: goldens.inputs.map { ($0.id, $0.text) })
        let unexplained = goldens.auto_tokenizer_differs.keys.filter {
            !(texts[$0]?.unicodeScalars.contains(Self.unicode15Scalar) ?? false)
        }
        #expect(unexplained.isEmpty, "\(shape): BertTokenizer and AutoTokenizer also disagree on \(unexplained.sorted())")
    }

    /// The input with its invisible scalars spelled out, and the ids from the first difference on.
    static func describe(_ input: TokenGoldens.Input, expected: [Int], actual: [Int]) -> String {
        let first = zip(expected, actual).prefix { $0 == $1 }.count
        let text = input.text.unicodeScalars.prefix(60)
            .map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        return "[\(input.id)] \"\(text)\": from position \(first) expected \(expected.dropFirst(first).prefix(6)), "
            + "got \(actual.dropFirst(first).prefix(6)) (\(expected.count) vs \(actual.count) ids)"
    }
}
