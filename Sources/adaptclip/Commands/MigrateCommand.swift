import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations in the data directory and print the schema version.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        _ = try common.resolve()
        try notImplementedYet("migrate", issue: 5)
    }
}
