import ArgumentParser

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Manage the image collection: add images, show statistics, rebuild the vector index.",
        subcommands: [Add.self, Stats.self, Rebuild.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed and store image files and folders (duplicates by sha256 are skipped, so a rerun resumes).")

        @OptionGroup var common: CommonOptions

        @Option(help: "JSON lines sidecar with captions/metadata keyed by path.")
        var sidecar: String?

        @Argument(help: "Files or folders to add.")
        var paths: [String] = []

        func run() async throws {
            _ = try common.resolve()
            try notImplementedYet("index add", issue: 5)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print JSON statistics: items, vectors in the index, index type, space, checkpoint.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            _ = try common.resolve()
            try notImplementedYet("index stats", issue: 5)
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the vector index from the embeddings stored in SQLite (no model runs).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            _ = try common.resolve()
            try notImplementedYet("index rebuild", issue: 5)
        }
    }
}
