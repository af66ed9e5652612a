import ArgumentParser

struct AdaptersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapters",
        abstract: "Inspect and validate adapter checkpoints (manifest, dimensions, sha256).")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Adapter checkpoint directories to validate.")
    var paths: [String] = []

    func run() async throws {
        _ = try common.resolve()
        try notImplementedYet("adapters", issue: 4)
    }
}
