import ArgumentParser
import Engine
import Foundation
import Retrieval
import Service

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the stored images with a text query and print the hits as JSON.",
        discussion: "Opens the collection read-only, so it works beside a running server or an import.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Query text (English or Chinese).")
    var text: String

    @Option(help: "Query language: auto, en, zh or zh-raw.")
    var lang: String = "auto"

    @Option(help: "Number of hits.")
    var k: Int = 10

    func run() async throws {
        let resolved = try common.resolve()
        // It reads data_dir's SQLite: on the shared store that is an empty, unrelated collection.
        guard resolved.store.backend == .sqlite else {
            throw ValidationError("search reads the embedded store (store.backend sqlite); with store.backend postgres, POST /v1/search to a replica")
        }
        guard let language = QueryLanguage(rawValue: lang) else {
            throw ValidationError("--lang must be one of \(QueryLanguage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...resolved.limits.maxSearchResults).contains(k) else {
            throw ValidationError("--k must be between 1 and \(resolved.limits.maxSearchResults)")
        }
        let engine = try EngineFactory.make(configuration: resolved).engine
        // Opened as the server opens it (read-only): the same space is served, and queries of
        // another space are refused instead of compared.
        let space = try engine.imageSpace()
        let store = try ImageLibrary(directory: resolved.storage, current: space, readOnly: true).servingEmbeddedStore(for: space)
        let query = try await engine.embedTexts(
            [text], language: language, deadline: .now + .seconds(resolved.limits.requestTimeoutSeconds))[0]
        let hits = try store.search(query.vector, k: k)
        struct Output: Encodable {
            let query: String
            let lang: String
            let producer: String
            let hits: [SearchHit]
        }
        print(try jsonText(Output(query: text, lang: query.language.rawValue, producer: query.producer, hits: hits)))
    }
}
