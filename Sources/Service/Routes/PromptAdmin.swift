import Engine
import Foundation
import HTTPServer
import Models
import Retrieval

/// Learned prompts under `/admin/adapters`: `POST` of a checkpoint whose kind is `"prompt"`
/// loads and installs it under its manifest name (replacing one of that name atomically;
/// requests in flight keep theirs), the listing shows them under `prompts`, and
/// `DELETE /admin/adapters/prompt:<name>` removes one. Prompts have no activation step: a
/// request selects one by name (`prompt` in `/v1/classify`).
enum PromptAdmin {
    static let keyPrefix = "prompt:"

    struct PromptView: Encodable {
        let key: String
        let kind: String
        let name: String
        let version: String
        let variant: String
        let clip: String
        let task: String?
        let sha256: String
        let path: String
        let loaded_at: String
    }

    /// The `kind` of the checkpoint in `path`, when its manifest is readable JSON with one (read
    /// under the loaders' rules: no symbolic link, bounded size); anything else goes to the
    /// language-adapter loader, whose refusals name the problem.
    static func kind(ofCheckpointAt path: String) -> String? {
        AdapterManifestFile.declaredKind(directory: URL(fileURLWithPath: path))
    }

    static func load(path: String, _ context: ServiceContext) async throws -> HTTPResponse {
        let prompts = context.engine.prompts
        let prompt: LearnedPrompt
        do {
            // Validation hashes and decodes a file: a blocking job, kept off the cooperative threads.
            prompt = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(with: Result { try prompts.load(directory: URL(fileURLWithPath: path)) })
                }
            }
        } catch {
            throw AdapterRejection.problem(error)
        }
        // SQLite first, as for language adapters: a restart restores every prompt that was
        // installed, and a failed write leaves the served set unchanged.
        try context.adapterCatalog?.install(prompt: record(of: prompt, path: path))
        let (entry, previous) = prompts.install(prompt, path: path)
        context.logger.notice("prompt installed", metadata: [
            "prompt": "\(prompt.manifest.name)@\(prompt.manifest.version)", "path": "\(path)",
            "replaced": "\(previous.map { "\($0.name)@\($0.version)" } ?? "none")",
        ])
        return try .encoded(view(entry), status: .created)
    }

    /// `prompt:<name>` removes that prompt; nil when the reference is not a prompt's.
    static func unload(_ reference: String, _ context: ServiceContext) throws -> HTTPResponse? {
        guard reference.hasPrefix(keyPrefix) else { return nil }
        let name = String(reference.dropFirst(keyPrefix.count))
        guard context.engine.prompts.registry.entry(named: name) != nil else {
            throw APIError(status: 404, code: "adapter-not-found", title: "Unknown adapter",
                           detail: "no loaded prompt named '\(name)'", field: "name")
        }
        try context.adapterCatalog?.uninstall(promptNamed: name)
        guard let removed = context.engine.prompts.registry.remove(named: name) else {
            return HTTPResponse(status: .noContent)  // a concurrent DELETE of the same name won
        }
        context.logger.notice("prompt removed", metadata: ["prompt": "\(removed.name)@\(removed.version)"])
        return HTTPResponse(status: .noContent)
    }

    /// What the adapters table keeps of an installed prompt (the manifest as written on disk).
    static func record(of prompt: LearnedPrompt, path: String) -> AdapterCatalog.Record {
        let manifest = prompt.manifest
        return AdapterCatalog.Record(
            kind: PromptManifest.kind, name: manifest.name, version: manifest.version, baseModel: manifest.clip.id,
            sha256: manifest.weights.sha256,
            manifestJSON: (try? AdapterManifestFile.text(directory: URL(fileURLWithPath: path))) ?? "{}", path: path)
    }

    /// Loads again every prompt installed before the last stop. One that can no longer be loaded
    /// (moved, changed, made for another CLIP) is skipped with a warning; the others serve.
    static func restoreInstalled(from catalog: AdapterCatalog, into context: ServiceContext) {
        let records: [AdapterCatalog.Record]
        do {
            records = try catalog.installedPrompts()
        } catch {
            context.logger.warning("could not read the installed prompts", metadata: ["error": "\(LogText.bounded(error))"])
            return
        }
        for record in records {
            do {
                let prompt = try context.engine.prompts.load(directory: URL(fileURLWithPath: record.path))
                // Another checkpoint written over the same directory is not what the operator installed.
                guard prompt.manifest.weights.sha256 == record.sha256 else {
                    context.logger.warning("an installed prompt changed on disk; it is not served", metadata: [
                        "prompt": "\(record.name)@\(record.version)", "path": "\(record.path)",
                        "installed_sha256": "\(record.sha256)", "found_sha256": "\(prompt.manifest.weights.sha256)",
                    ])
                    continue
                }
                context.engine.prompts.install(prompt, path: record.path)
                context.logger.notice("restored a prompt", metadata: ["prompt": "\(record.name)@\(record.version)", "path": "\(record.path)"])
            } catch {
                context.logger.warning("could not restore an installed prompt; it is not served", metadata: [
                    "prompt": "\(record.name)@\(record.version)", "path": "\(record.path)", "error": "\(LogText.bounded(error))",
                ])
            }
        }
    }

    static func views(_ context: ServiceContext) -> [PromptView] {
        context.engine.prompts.registry.all.map(view)
    }

    static func view(_ entry: PromptRegistry.Entry) -> PromptView {
        let manifest = entry.prompt.manifest
        return PromptView(
            key: keyPrefix + entry.name, kind: PromptManifest.kind, name: entry.name, version: entry.version,
            variant: manifest.architecture.variantName, clip: manifest.clip.id, task: manifest.task?.name,
            sha256: manifest.weights.sha256, path: entry.path, loaded_at: ISO8601DateFormatter().string(from: entry.loadedAt))
    }
}
