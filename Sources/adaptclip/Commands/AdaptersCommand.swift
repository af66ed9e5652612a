import ArgumentParser
import Engine
import Foundation
import Models
import Service

struct AdaptersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapters",
        abstract: "Validate adapter checkpoints against the configured models (manifest, dimensions, ids, sha256, tensors).",
        discussion: """
            Prints one JSON line per directory: the manifest's identity and "valid": true, or \
            "valid": false with the reason (the exit status is then 1). Validation is exactly \
            what a hot-swap runs before it switches, warm-up included.
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "Adapter checkpoint directories (adapter.json + adapter.safetensors).")
    var paths: [String]

    func run() async throws {
        let configuration = try common.resolve()
        let engine = try EngineFactory.make(configuration: configuration).engine
        var failures = 0
        for path in paths {
            do {
                let adapter = try engine.loadLanguageAdapter(directory: URL(fileURLWithPath: path))
                let manifest = adapter.manifest
                JSONLines.printObject([
                    "path": path, "valid": true, "kind": LanguageAdapterManifest.kind.rawValue, "name": manifest.name,
                    "version": manifest.version, "language": manifest.language,
                    "base_encoder": manifest.baseEncoder.id, "clip": manifest.clip.id,
                    "sha256": manifest.weights.sha256,
                ])
            } catch {
                failures += 1
                JSONLines.printObject(["path": path, "valid": false, "error": "\(error)"])
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
