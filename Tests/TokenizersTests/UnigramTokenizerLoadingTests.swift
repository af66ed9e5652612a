import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// Missing, malformed or unsupported tokenizer.json contents are typed errors naming the file,
/// the field and, for unsupported components, the component.
@Suite struct UnigramTokenizerLoadingTests {
    static let files = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// A copy of the fixture whose tokenizer.json went through `edit`.
    func edited(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        let scratch = try Fixtures.scratchCopy(of: Fixtures.directory("unigram-xlmr"), files: Self.files)
        let url = scratch.appendingPathComponent("tokenizer.json")
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return scratch
    }

    func replacing(_ file: String, with contents: String?) throws -> URL {
        let scratch = try Fixtures.scratchCopy(of: Fixtures.directory("unigram-xlmr"), files: Self.files)
        let url = scratch.appendingPathComponent(file)
        try FileManager.default.removeItem(at: url)
        if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
        return scratch
    }

    func loadError(_ directory: URL) -> TokenizerError? {
        defer { TemporaryDirectory.remove(directory) }
        do {
            _ = try UnigramTokenizer(directory: directory)
            return nil
        } catch {
            return error
        }
    }

    func tokenizerPath(_ directory: URL) -> String { directory.appendingPathComponent("tokenizer.json").path }

    @Test func missingTokenizerJSONThrowsMissingFile() throws {
        let directory = try replacing("tokenizer.json", with: nil)
        #expect(loadError(directory) == .missingFile(tokenizerPath(directory)))
    }

    @Test func missingConfigFallsBackToXLMRDefaults() throws {
        let directory = try replacing("tokenizer_config.json", with: nil)
        defer { TemporaryDirectory.remove(directory) }
        let tokenizer = try UnigramTokenizer(directory: directory)
        #expect(tokenizer.maxLength == UnigramTokenizer.defaultMaxLength)
        #expect(tokenizer.padTokenID == 1)
    }

    @Test func truncatedJSONIsMalformedNamingTheFile() throws {
        let real = try String(contentsOf: Fixtures.directory("unigram-xlmr").appendingPathComponent("tokenizer.json"), encoding: .utf8)
        let directory = try replacing("tokenizer.json", with: String(real.prefix(5000)))
        let path = tokenizerPath(directory)
        guard case .malformed(let file, _)? = loadError(directory) else {
            Issue.record("expected .malformed")
            return
        }
        #expect(file == path)
    }

    @Test func unknownNormalizerTypeIsRefusedByName() throws {
        let directory = try edited { json in
            json["normalizer"] = ["type": "Sequence", "normalizers": [["type": "BertNormalizer", "lowercase": true]]]
        }
        let path = tokenizerPath(directory)
        let error = loadError(directory)
        #expect(error == .unsupported(file: path, reason: "normalizer type \"BertNormalizer\" is not supported by UnigramTokenizer"))
        #expect(error?.description.contains("normalizer type \"BertNormalizer\" is not supported by UnigramTokenizer") == true)
    }

    @Test func unknownPreTokenizerModelAndPostProcessorTypesAreRefusedByName() throws {
        let cases: [(String, Any, String)] = [
            ("pre_tokenizer", ["type": "ByteLevel", "add_prefix_space": false], "pre_tokenizer type \"ByteLevel\""),
            ("model", ["type": "BPE", "vocab": [:], "merges": []], "model type \"BPE\""),
            ("post_processor", ["type": "ByteLevel", "trim_offsets": true], "post_processor type \"ByteLevel\""),
        ]
        for (key, value, named) in cases {
            let directory = try edited { $0[key] = value }
            let path = tokenizerPath(directory)
            #expect(loadError(directory) == .unsupported(file: path, reason: "\(named) is not supported by UnigramTokenizer"))
        }
    }

    @Test func regexOtherThanARepeatedCharacterIsRefused() throws {
        let directory = try edited { json in
            json["normalizer"] = ["type": "Replace", "pattern": ["Regex": "\\s+"], "content": " "]
        }
        guard case .unsupported(_, let reason)? = loadError(directory) else {
            Issue.record("expected .unsupported")
            return
        }
        #expect(reason.contains("normalizer.pattern: Replace regex \"\\s+\" is not supported"))
    }

    @Test func vocabScoreThatIsNotANumberNamesTheEntry() throws {
        let directory = try edited { json in
            var model = json["model"] as! [String: Any]
            var vocab = model["vocab"] as! [Any]
            vocab[5] = ["\u{3002}", "-3.15"]
            model["vocab"] = vocab
            json["model"] = model
        }
        let path = tokenizerPath(directory)
        #expect(loadError(directory) == .malformed(file: path, reason: "model.vocab[5]: score of \"\u{3002}\" is a string, not a finite number"))
    }

    @Test func vocabEntryThatIsNotAPairAndOutOfRangeUnknownIDAreMalformed() throws {
        let notPair = try edited { json in
            var model = json["model"] as! [String: Any]
            model["vocab"] = [["<unk>", 0.0], ["a"]]
            model["unk_id"] = 0
            json["model"] = model
        }
        let notPairPath = tokenizerPath(notPair)
        #expect(loadError(notPair) == .malformed(file: notPairPath, reason: "model.vocab[1]: expected [piece, score]"))

        let outOfRange = try edited { json in
            var model = json["model"] as! [String: Any]
            model["unk_id"] = 5000
            json["model"] = model
        }
        let outOfRangePath = tokenizerPath(outOfRange)
        #expect(loadError(outOfRange) == .malformed(file: outOfRangePath, reason: "model.unk_id: 5000 is not an index of the 3002-piece vocab"))
    }

    @Test func charsMapThatIsNotBase64IsMalformed() throws {
        let directory = try edited { json in
            json["normalizer"] = ["type": "Precompiled", "precompiled_charsmap": "not base64!"]
        }
        let path = tokenizerPath(directory)
        #expect(loadError(directory) == .malformed(file: path, reason: "normalizer.precompiled_charsmap: not valid base64"))
    }

    @Test func missingPostProcessorIsRefused() throws {
        let directory = try edited { $0["post_processor"] = NSNull() }
        let path = tokenizerPath(directory)
        #expect(loadError(directory) == .unsupported(file: path, reason: "post_processor is null; UnigramTokenizer needs start and end tokens"))
    }

    @Test func singleWordAddedTokenIsRefused() throws {
        let directory = try edited { json in
            json["added_tokens"] = [["id": 3001, "content": "<mask>", "single_word": true, "normalized": false]]
        }
        guard case .unsupported(_, let reason)? = loadError(directory) else {
            Issue.record("expected .unsupported")
            return
        }
        #expect(reason == "added_tokens[0]: added token \"<mask>\" has single_word=true")
    }

    /// tokenizers itself refuses this combination when it reads the file.
    @Test func metaspaceWithoutPrefixSpaceButAPrependSchemeIsMalformed() throws {
        let directory = try edited { json in
            json["pre_tokenizer"] = ["type": "Metaspace", "replacement": "\u{2581}", "add_prefix_space": false]
        }
        let path = tokenizerPath(directory)
        #expect(loadError(directory) == .malformed(file: path, reason: "pre_tokenizer.add_prefix_space: false does not match prepend_scheme \"always\""))
    }

    @Test func robertaProcessingGivesTheSameIDs() throws {
        let directory = try edited { json in
            json["post_processor"] = ["type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": true]
        }
        defer { TemporaryDirectory.remove(directory) }
        let roberta = try UnigramTokenizer(directory: directory)
        let template = try SharedFixtures.unigram.get().tokenizer
        #expect(roberta.encode("两只猫 a cat") == template.encode("两只猫 a cat"))
        #expect(roberta.startTokenID == 0 && roberta.endTokenID == 2)
    }

    /// `prepend_scheme: "first"` prefixes only the segment at the start of the input, also when
    /// the normaliser deletes its first character. Ids from tokenizers 0.22.2 with that scheme.
    @Test func firstPrependSchemePrefixesOnlyTheSegmentAtTheStart() throws {
        let directory = try edited { json in
            json["pre_tokenizer"] = ["type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "first", "split": true]
        }
        defer { TemporaryDirectory.remove(directory) }
        let tokenizer = try UnigramTokenizer(directory: directory)
        #expect(tokenizer.encode("abc") == [0, 7, 352, 423, 2])
        #expect(tokenizer.encode("\u{1}abc") == [0, 7, 352, 423, 2])
        #expect(tokenizer.encode("<s>abc") == [0, 0, 311, 352, 423, 2])
        #expect(tokenizer.encode("abc<s>def") == [0, 7, 352, 423, 0, 101, 22, 2998, 2])
    }

    /// A `normalized: true` added token is matched in the normalised text: nmt_nfkc turns the
    /// full-width `＜mask＞` into `<mask>`. Ids from tokenizers 0.22.2 with that setting.
    @Test func normalizedAddedTokenIsMatchedAfterNormalisation() throws {
        let directory = try edited { json in
            var added = json["added_tokens"] as! [[String: Any]]
            added[added.count - 1]["normalized"] = true
            json["added_tokens"] = added
        }
        defer { TemporaryDirectory.remove(directory) }
        let tokenizer = try UnigramTokenizer(directory: directory)
        #expect(tokenizer.encode("a \u{FF1C}mask\u{FF1E}b") == [0, 7, 3001, 4, 352, 2])
        #expect(tokenizer.encode("x\u{3000}<mask>  y") == [0, 4, 454, 3001, 4, 18, 2])
    }

    @Test func boundaryTokenOutsideTheVocabularyIsMalformed() throws {
        let directory = try edited { json in
            json["post_processor"] = ["type": "RobertaProcessing", "sep": ["</s>", 9999], "cls": ["<s>", 0]]
        }
        let path = tokenizerPath(directory)
        #expect(loadError(directory) == .malformed(file: path, reason: "post_processor end token id 9999 is outside the vocabulary of 3002"))
    }
}
