import ArgumentParser

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed JSON lines from stdin ({\"text\": ...} or {\"image\": path}); one {\"embedding\": [...]} line per input.")

    @OptionGroup var common: CommonOptions

    @Option(help: "For a BERT directory given as --model: cls, mean or pooler vector.")
    var pooling: String?

    func run() async throws {
        _ = try common.resolve()
        try notImplementedYet("embed", issue: 3)
    }
}
