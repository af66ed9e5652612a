import ArgumentParser

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON strings from stdin, one per line; print one JSON array of token ids per line.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        _ = try common.resolve()
        try notImplementedYet("tokenize", issue: 3)
    }
}
