import ArgumentParser
import Foundation
import Retrieval
import Service

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Manage the image collection: add images, import vectors, show statistics, rebuild the vector index.",
        subcommands: [Add.self, Import.self, Stats.self, Rebuild.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Embed and store image files and folders (duplicates by sha256 are skipped, so a rerun resumes).")

        @OptionGroup var common: CommonOptions

        @Option(help: "JSON lines sidecar with captions/metadata keyed by path.")
        var sidecar: String?

        @Argument(help: "Files or folders to add.")
        var paths: [String] = []

        @Option(name: .customLong("batch-size"), help: "Images per model batch.")
        var batchSize: Int = 32

        @Option(help: "A running server's base URL (http://host:port): ingest through it instead of opening the data directory.")
        var server: String?

        @Flag(name: .customLong("on-server"), help: "With --server: the server reads the folders itself (an admin job; they must be inside its ingest.allowed_roots; token in ADAPTCLIP_ADMIN_TOKEN).")
        var onServer = false

        @Option(name: .customLong("chunk-files"), help: "With --server: files per upload (at most the server's ingest.batch_max_files).")
        var chunkFiles: Int = 32

        @Option(name: .customLong("chunk-bytes"), help: "With --server: bytes per upload (below the server's ingest.batch_max_bytes).")
        var chunkBytes: Int = 48 << 20

        func run() async throws {
            guard !paths.isEmpty else { throw ValidationError("give at least one file or folder to add") }
            if let server {
                try await runThroughServer(server)
                return
            }
            guard !onServer else { throw ValidationError("--on-server needs --server") }
            let resolved = try common.resolve()
            // Without --server it fills data_dir's SQLite, which replicas on the shared store never read.
            guard resolved.store.backend == .sqlite else {
                throw ValidationError("index add without --server fills the embedded store (store.backend sqlite); with store.backend postgres, add --server URL of a replica")
            }
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            let engine = try EngineFactory.make(configuration: resolved).engine
            let embedder = try EngineImageEmbedder(engine: engine)
            // Opened as the server opens it: images are added to the served space only.
            let library = try ImageLibrary(
                directory: resolved.storage, current: embedder.space, formerModelIDs: engine.formerModelIDs)
            let store = try library.servingEmbeddedStore(for: embedder.space)
            let options = Ingestor.Options(
                batchSize: batchSize, sidecar: try sidecar.map { try Sidecar(url: URL(fileURLWithPath: $0)) } ?? Sidecar())
            let ingestor = try Ingestor(store: store, embedder: embedder, options: options, progress: IngestProgress())
            let summary = try await ingestor.run(paths: paths)
            try store.close()
            print(try jsonText(summary))
            if summary.unreadable + summary.embeddingFailed > 0 { throw ExitCode(1) }
        }

        private func runThroughServer(_ address: String) async throws {
            guard let url = URL(string: address), ["http", "https"].contains(url.scheme ?? "") else {
                throw ValidationError("--server must be an http(s) URL, got \(address)")
            }
            guard sidecar == nil else { throw ValidationError("--sidecar is not supported with --server") }
            guard chunkFiles > 0, chunkBytes > 0 else { throw ValidationError("--chunk-files and --chunk-bytes must be positive") }
            let client = ServerIngest(server: url, chunkFiles: chunkFiles, chunkBytes: chunkBytes, progress: IngestProgress())
            let summary = onServer ? try await client.ingestOnServer(paths: paths, recursive: true) : try await client.upload(paths: paths)
            print(try jsonText(summary))
            if summary.failed > 0 { throw ExitCode(1) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import precomputed embeddings from JSON lines (no model runs).",
            discussion: """
                One item per line: {"uri": "...", "sha256"?: "...", "embedding": [...], "caption"?: "...", \
                "metadata"?: {...}, "space": "model[+image-adapter]"}. Without sha256 the dedupe key is the \
                SHA-256 of the uri. Prints one line per committed row on stdout ("stored <id> <sha256>" or \
                "duplicate <id> <sha256>"), rejected lines on stderr, and a JSON summary at the end. A rerun \
                skips rows already stored, so an interrupted import resumes.
                """)

        @OptionGroup var common: CommonOptions

        @Option(help: "JSON lines file of embeddings.")
        var vectors: String

        @Option(name: .customLong("batch-size"), help: "Rows per transaction.")
        var batchSize: Int = 256

        @Option(name: .customLong("checkpoint-every"), help: "Write the index file every N rows (default: index.checkpoint_every_rows).")
        var checkpointEvery: Int?

        func run() async throws {
            let resolved = try common.resolve()
            var directory = resolved.storage
            if let checkpointEvery {
                guard checkpointEvery > 0 else { throw ValidationError("--checkpoint-every must be positive") }
                directory.settings.checkpointEveryRows = checkpointEvery
            }
            let importer = try VectorImporter(directory: directory, batchSize: batchSize)
            let out = FileHandle.standardOutput
            let err = FileHandle.standardError
            let summary = try importer.run(
                file: URL(fileURLWithPath: vectors),
                acknowledge: { ack in
                    let verb = if case .stored = ack.outcome { "stored" } else { "duplicate" }
                    out.write(Data("\(verb) \(ack.outcome.id) \(ack.sha256)\n".utf8))
                },
                reject: { line, reason in err.write(Data("\(vectors):\(line): skipped: \(reason)\n".utf8)) })
            err.write(Data("\(try jsonText(summary))\n".utf8))
            if summary.rejected > 0 { throw ExitCode(1) }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print JSON statistics: items, vectors in the index, index type, space, checkpoint.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let resolved = try common.resolve()
            let stats = try CollectionStatistics.gather(directory: resolved.storage)
            print(try jsonText(stats))
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the vector index from the embeddings stored in SQLite (no model runs).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let directory = try common.resolve().storage
            var rebuilt: [[String: String]] = []
            for space in try directory.spaces() {
                let store = try directory.openStore(space: space)
                try store.rebuild()
                let state = store.indexState
                try store.close()
                rebuilt.append(["space": space.key, "factory": state.factory, "vectors": String(state.vectors)])
            }
            print(try jsonText(rebuilt))
        }
    }
}

/// Pretty, key-sorted JSON for command output.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
