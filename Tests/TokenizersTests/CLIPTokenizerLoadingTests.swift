import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// Missing or malformed files are typed errors naming the file and the problem.
@Suite struct CLIPTokenizerLoadingTests {
    static let files = ["vocab.json", "merges.txt", "tokenizer_config.json"]

    /// A copy of the real CLIP fixture with `file` replaced by `contents` (or removed when nil).
    func damaged(_ file: String, _ contents: String?) throws -> URL {
        let scratch = try Fixtures.scratchCopy(of: Fixtures.directory("clip"), files: Self.files)
        let url = scratch.appendingPathComponent(file)
        try FileManager.default.removeItem(at: url)
        if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
        return scratch
    }

    func loadError(_ directory: URL) -> TokenizerError? {
        do {
            _ = try CLIPTokenizer(directory: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ["vocab.json", "merges.txt"])
    func missingRequiredFileThrowsMissingFile(file: String) throws {
        let directory = try damaged(file, nil)
        defer { TemporaryDirectory.remove(directory) }
        #expect(loadError(directory) == .missingFile(directory.appendingPathComponent(file).path))
    }

    @Test func missingConfigFallsBackToCLIPDefaults() throws {
        let directory = try damaged("tokenizer_config.json", nil)
        defer { TemporaryDirectory.remove(directory) }
        let tokenizer = try CLIPTokenizer(directory: directory)
        #expect(tokenizer.maxLength == 77)
        #expect(tokenizer.encode("a photo of a cat <|endoftext|>") == [49406, 320, 1125, 539, 320, 2368, 49407, 49407])
    }

    @Test func vocabThatIsNotAnObjectOfIdsIsMalformed() throws {
        let directory = try damaged("vocab.json", #"["a", "b"]"#)
        defer { TemporaryDirectory.remove(directory) }
        guard case .malformed(let file, _)? = loadError(directory) else {
            Issue.record("expected .malformed, got \(String(describing: loadError(directory)))")
            return
        }
        #expect(file.hasSuffix("vocab.json"))
    }

    @Test func truncatedVocabIsMalformed() throws {
        let real = try String(contentsOf: Fixtures.directory("clip").appendingPathComponent("vocab.json"), encoding: .utf8)
        let directory = try damaged("vocab.json", String(real.prefix(1000)))
        defer { TemporaryDirectory.remove(directory) }
        guard case .malformed(let file, _)? = loadError(directory) else {
            Issue.record("expected .malformed")
            return
        }
        #expect(file.hasSuffix("vocab.json"))
    }

    @Test func mergeLineWithThreeSymbolsNamesItsLine() throws {
        let directory = try damaged("merges.txt", "#version: 0.2\ni n\nt h e\n")
        defer { TemporaryDirectory.remove(directory) }
        #expect(
            loadError(directory)
                == .malformed(
                    file: directory.appendingPathComponent("merges.txt").path,
                    reason: "line 3: expected two symbols, found \"t h e\""))
    }

    @Test func mergeOfUnknownSymbolsIsMalformed() throws {
        let directory = try damaged("merges.txt", "#version: 0.2\ni n\nzz qq\n")
        defer { TemporaryDirectory.remove(directory) }
        #expect(
            loadError(directory)
                == .malformed(
                    file: directory.appendingPathComponent("merges.txt").path,
                    reason: "line 3: merge \"zz qq\" uses or makes a token missing from vocab.json"))
    }

    @Test func specialTokenMissingFromVocabularyIsNamed() throws {
        let directory = try damaged("tokenizer_config.json", #"{"bos_token": "<|nope|>", "model_max_length": 77}"#)
        defer { TemporaryDirectory.remove(directory) }
        #expect(loadError(directory) == .missingSpecialToken(role: "bos_token", token: "<|nope|>"))
    }

    @Test func configThatIsNotJSONIsMalformed() throws {
        let directory = try damaged("tokenizer_config.json", "{ model_max_length: 77")
        defer { TemporaryDirectory.remove(directory) }
        guard case .malformed(let file, _)? = loadError(directory) else {
            Issue.record("expected .malformed")
            return
        }
        #expect(file.hasSuffix("tokenizer_config.json"))
    }

    @Test func maxLengthWithoutRoomForBoundaryTokensIsRefused() throws {
        let directory = try damaged("tokenizer_config.json", #"{"model_max_length": 1}"#)
        defer { TemporaryDirectory.remove(directory) }
        #expect(
            loadError(directory)
                == .malformed(
                    file: directory.appendingPathComponent("tokenizer_config.json").path,
                    reason: "max length 1 leaves no room for the start and end tokens"))
    }

    @Test func singleWordAddedTokensAreRefusedNotIgnored() throws {
        let config = #"""
            {"added_tokens_decoder": {"49407": {"content": "<|endoftext|>", "single_word": true, "normalized": true, "special": true}}}
            """#
        let directory = try damaged("tokenizer_config.json", config)
        defer { TemporaryDirectory.remove(directory) }
        guard case .unsupported? = loadError(directory) else {
            Issue.record("expected .unsupported, got \(String(describing: loadError(directory)))")
            return
        }
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(TokenizerError.missingFile("/x/vocab.json").description == "tokenizer file not found: /x/vocab.json")
        #expect(
            TokenizerError.missingSpecialToken(role: "cls_token", token: "[CLS]").description
                == "special token cls_token \"[CLS]\" is not in the vocabulary")
    }
}
