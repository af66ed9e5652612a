import ArgumentParser

@main
struct AdaptCLIP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adaptclip",
        abstract: "A frozen CLIP with pluggable adapters: embeddings, zero-shot classification and search over HTTP.",
        subcommands: [
            ServeCommand.self, EmbedCommand.self, TokenizeCommand.self, ClassifyCommand.self,
            IndexCommand.self, SearchCommand.self, AdaptersCommand.self, MigrateCommand.self,
            EvalCommand.self, KeysCommand.self, VersionCommand.self,
        ])
}
