import ArgumentParser

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the stored images with a text query and print the hits as JSON.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Query text (English or Chinese).")
    var text: String

    @Option(help: "Query language: auto, en, zh or zh-raw.")
    var lang: String = "auto"

    @Option(help: "Number of hits.")
    var k: Int = 10

    func run() async throws {
        _ = try common.resolve()
        // Ready in Retrieval: `ImageStore(directory:space:readOnly: true)` loads and replays the
        // index without taking the writer lock, and `search(_:k:filter:)` returns rows joined to
        // hits. What is missing is the query vector: the Engine's text embedding (issue 5 / Engine).
        try notImplementedYet("search", issue: 5)
    }
}
