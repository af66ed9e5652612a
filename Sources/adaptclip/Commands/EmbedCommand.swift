import ArgumentParser
import Engine
import Foundation
import Models
import Service

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed JSON lines from stdin ({\"text\": ..., \"lang\"?: ...} or {\"image\": path}); one {\"embedding\": [...]} line per input.",
        discussion: """
            Vectors are L2-normalised, in CLIP's projection space. A line that fails prints \
            {"error": ...} in its place (so output lines stay aligned with input lines), the \
            reason goes to stderr with the line number, and the exit status is 1.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "For a BERT directory given as --model: cls, mean or pooler vector.")
    var pooling: String?

    @Option(help: "Lines embedded concurrently (they share model batches).")
    var chunk: Int = 64

    func run() async throws {
        let configuration = try common.resolve()
        if let path = configuration.models.clip, try !ModelDirectory.isCLIP(URL(fileURLWithPath: path)) {
            try await runEncoderOnly(directory: URL(fileURLWithPath: path))
            return
        }
        if pooling != nil {
            throw ValidationError("--pooling applies only when --model is a BERT directory")
        }
        let engine = try EngineFactory.make(configuration: configuration).engine
        let deadlineSeconds = configuration.limits.requestTimeoutSeconds
        var failures = 0
        await JSONLines.forEachChunk(chunkSize: max(1, chunk)) { lines in
            let outcomes = await Self.embedConcurrently(lines.map(\.text), engine: engine, deadlineSeconds: deadlineSeconds)
            for (line, outcome) in zip(lines, outcomes) {
                switch outcome {
                case .success(let vector):
                    print("{\"embedding\":[" + vector.map { "\($0)" }.joined(separator: ",") + "]}")
                case .failure(let error):
                    failures += 1
                    JSONLines.reportError(line: line.line, error.description)
                    JSONLines.printObject(["error": error.description])
                }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// `--model DIR` naming a text encoder: its own vector per text, not normalised, so it can
    /// be compared with transformers on its own — a BERT's pooled vector (`--pooling`), or a
    /// published encoder's (Taiyi-CLIP, M-CLIP) features in CLIP's text space.
    private func runEncoderOnly(directory: URL) async throws {
        let encode: @Sendable (String) throws -> [Float]
        if PublishedLanguageEncoder.isPublishedEncoder(directory) {
            if pooling != nil { throw ValidationError("--pooling applies to a plain BERT; \(directory.path) has its own head") }
            let model = try PublishedTextEncoder.load(directory: directory)
            let tokenizer = try ModelDirectory.tokenizer(of: directory)
            encode = { text in Array(try model.encode(tokenIDs: [tokenizer.encode(text)]).row(0)) }
        } else {
            let encoder = try ChineseEncoder.load(directory: directory)
            let choice = try BERTPoolingChoice(pooling ?? "cls")
            encode = { text in Array(try encoder.model.encode(tokenIDs: [encoder.tokenizer.encode(text)]).vectors(choice.pooling).row(0)) }
        }
        var failures = 0
        await JSONLines.forEachChunk(chunkSize: max(1, chunk)) { lines in
            for line in lines {
                do {
                    guard let data = line.text.data(using: .utf8),
                          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                          let text = object["text"] as? String, object.count == 1 else {
                        throw InputError(description: "expected {\"text\": \"...\"} (a text encoder embeds text only)")
                    }
                    let vector = try encode(text)
                    print("{\"embedding\":[" + vector.map { "\($0)" }.joined(separator: ",") + "]}")
                } catch {
                    failures += 1
                    JSONLines.reportError(line: line.line, "\(error)")
                    JSONLines.printObject(["error": "\(error)"])
                }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private struct InputError: Error, CustomStringConvertible {
        let description: String
    }

    /// One input line's outcome, in input order.
    private struct EmbeddedLine: Sendable {
        let position: Int
        let outcome: Result<[Float], InputError>
    }

    /// Embeds every line of a chunk at once (they share the engine's batches), each with its
    /// own deadline; the outcomes come back in input order. Children hand back a plain struct:
    /// a child result of `(Int, Result<[Float], any Error>)` read back through
    /// `for await (position, outcome) in group` read a wrong position in release builds of
    /// Swift 6.3.1 (an out-of-range trap with three or more lines).
    private static func embedConcurrently(
        _ texts: [String], engine: EmbeddingEngine, deadlineSeconds: Double
    ) async -> [Result<[Float], InputError>] {
        await withTaskGroup(of: EmbeddedLine.self) { group in
            for (position, text) in texts.enumerated() {
                group.addTask {
                    let deadline = ContinuousClock.now + .seconds(deadlineSeconds)
                    do {
                        return EmbeddedLine(position: position, outcome: .success(try await embed(text, engine: engine, deadline: deadline)))
                    } catch {
                        return EmbeddedLine(position: position, outcome: .failure(InputError(description: "\(error)")))
                    }
                }
            }
            var out = [Result<[Float], InputError>](repeating: .failure(InputError(description: "not embedded")), count: texts.count)
            for await line in group { out[line.position] = line.outcome }
            return out
        }
    }

    private static func embed(_ text: String, engine: EmbeddingEngine, deadline: ContinuousClock.Instant) async throws -> [Float] {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw InputError(description: "expected a JSON object like {\"text\": \"...\"} or {\"image\": \"path\"}")
        }
        let unknown = Set(object.keys).subtracting(["text", "image", "lang"])
        guard unknown.isEmpty else { throw InputError(description: "unknown field(s): \(unknown.sorted().joined(separator: ", "))") }
        switch (object["text"], object["image"]) {
        case (let text as String, nil):
            var language = QueryLanguage.auto
            if let raw = object["lang"] {
                guard let name = raw as? String, let parsed = QueryLanguage(rawValue: name) else {
                    throw InputError(description: "'lang' must be one of \(QueryLanguage.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                language = parsed
            }
            return try await engine.embedTexts([text], language: language, deadline: deadline)[0].vector
        case (nil, let path as String):
            let bytes: Data
            do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw InputError(description: "cannot read image file \(path): \(error.localizedDescription)")
            }
            return try await engine.embedImages([bytes], deadline: deadline)[0]
        default:
            throw InputError(description: "give exactly one of 'text' (a string) or 'image' (a file path)")
        }
    }
}
