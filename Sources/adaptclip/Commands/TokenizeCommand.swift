import ArgumentParser
import Engine
import Foundation
import Service
import Tokenizers

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON strings from stdin, one per line; print one JSON array of token ids per line.",
        discussion: """
            --model may be a CLIP directory (byte-level BPE), a Chinese-CLIP, BERT or Taiyi-CLIP \
            directory (WordPiece) or an M-CLIP directory (SentencePiece Unigram from tokenizer.json).
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try common.resolve()
        let tokenizer: any TextTokenizer
        if let path = configuration.models.clip {
            tokenizer = try ModelDirectory.tokenizer(of: URL(fileURLWithPath: path))
        } else {
            tokenizer = try EngineFactory.make(configuration: configuration).engine.clip.tokenizer
        }
        var failures = 0
        await JSONLines.forEachChunk(chunkSize: 1024) { chunk in
            for (line, text) in chunk {
                guard let data = text.data(using: .utf8),
                      let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                      let string = value as? String else {
                    JSONLines.reportError(line: line, "expected a JSON string")
                    print("null")
                    failures += 1
                    continue
                }
                print("[" + tokenizer.encode(string).map(String.init).joined(separator: ",") + "]")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
