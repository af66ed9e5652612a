import ArgumentParser

struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Zero-shot classify images against labels; print labels ranked with score and probability.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Candidate labels.")
    var labels: [String] = []

    @Option(help: "Prompt template with {} for the label.")
    var template: String?

    @Option(help: "Label language: auto, en, zh or zh-raw.")
    var lang: String = "auto"

    @Argument(help: "Image files.")
    var images: [String] = []

    func run() async throws {
        _ = try common.resolve()
        try notImplementedYet("classify", issue: 7)
    }
}
