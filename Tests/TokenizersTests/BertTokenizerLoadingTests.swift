import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// Missing or malformed BERT files are typed errors naming the file and the problem.
@Suite struct BertTokenizerLoadingTests {
    /// A directory holding exactly `files` (name -> contents).
    func directory(_ files: [String: String]) throws -> URL {
        let scratch = try TemporaryDirectory.make()
        for (name, contents) in files {
            try contents.write(to: scratch.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return scratch
    }

    func loadError(_ directory: URL) -> TokenizerError? {
        do {
            _ = try BertTokenizer(directory: directory)
            return nil
        } catch {
            return error
        }
    }

    static let tinyVocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "猫", "a", "##\u{2028}"]
        .joined(separator: "\n") + "\n"

    @Test func missingVocabThrowsMissingFile() throws {
        let dir = try directory([:])
        defer { TemporaryDirectory.remove(dir) }
        #expect(loadError(dir) == .missingFile(dir.appendingPathComponent("vocab.txt").path))
    }

    @Test func emptyVocabIsMalformed() throws {
        let dir = try directory(["vocab.txt": ""])
        defer { TemporaryDirectory.remove(dir) }
        #expect(loadError(dir) == .malformed(file: dir.appendingPathComponent("vocab.txt").path, reason: "empty vocabulary"))
    }

    @Test func vocabThatIsNotUTF8IsMalformed() throws {
        let dir = try directory([:])
        defer { TemporaryDirectory.remove(dir) }
        try Data([0x5B, 0x43, 0xFF, 0xFE, 0x0A]).write(to: dir.appendingPathComponent("vocab.txt"))
        #expect(loadError(dir) == .malformed(file: dir.appendingPathComponent("vocab.txt").path, reason: "not valid UTF-8"))
    }

    @Test func vocabWithoutClsNamesTheMissingSpecialToken() throws {
        let dir = try directory(["vocab.txt": "[PAD]\n[UNK]\n[SEP]\n[MASK]\n"])
        defer { TemporaryDirectory.remove(dir) }
        #expect(loadError(dir) == .missingSpecialToken(role: "cls_token", token: "[CLS]"))
    }

    @Test func configuredSpecialTokenMustBeInVocab() throws {
        let dir = try directory(["vocab.txt": Self.tinyVocab, "tokenizer_config.json": #"{"unk_token": "<unk>"}"#])
        defer { TemporaryDirectory.remove(dir) }
        #expect(loadError(dir) == .missingSpecialToken(role: "unk_token", token: "<unk>"))
    }

    @Test func malformedConfigIsMalformed() throws {
        let dir = try directory(["vocab.txt": Self.tinyVocab, "tokenizer_config.json": #"{"do_lower_case": "yes"}"#])
        defer { TemporaryDirectory.remove(dir) }
        guard case .malformed(let file, _)? = loadError(dir) else {
            Issue.record("expected .malformed, got \(String(describing: loadError(dir)))")
            return
        }
        #expect(file.hasSuffix("tokenizer_config.json"))
    }

    @Test func vocabLinesSplitAtNewlinesButNotAtLineSeparator() throws {
        let lines = BertVocabulary.lines(of: Array("a\r\nb\rc\u{2028}d\n\ne".utf8))
        #expect(lines == [Array("a".utf8), Array("b".utf8), Array("c\u{2028}d".utf8), [], Array("e".utf8)])
    }

    @Test func tinyVocabularyEncodesLikeTheReferenceExample() throws {
        // BertTokenizer's docstring example: "unaffable" -> un ##aff ##able.
        let dir = try directory(["vocab.txt": Self.tinyVocab])
        defer { TemporaryDirectory.remove(dir) }
        let bert = try BertTokenizer(directory: dir)
        #expect(bert.encode("UNAFFABLE 猫 b") == [2, 5, 6, 7, 8, 1, 3])
        #expect(bert.vocabularySize == 11)
        #expect(bert.maxLength == 512)
    }

    @Test func doLowerCaseFromConfigIsHonoured() throws {
        let dir = try directory(["vocab.txt": Self.tinyVocab, "tokenizer_config.json": #"{"do_lower_case": false}"#])
        defer { TemporaryDirectory.remove(dir) }
        let bert = try BertTokenizer(directory: dir)
        #expect(!bert.lowercases)
        #expect(bert.encode("UNAFFABLE unaffable") == [2, 1, 5, 6, 7, 3])
    }
}
