import Engine
import Foundation
import HTTPServer
import Models

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

    /// The `kind` of the checkpoint in `path`, when its manifest is readable JSON with one;
    /// anything else goes to the language-adapter loader, whose refusals name the problem.
    static func kind(ofCheckpointAt path: String) -> String? {
        let url = URL(fileURLWithPath: path).appendingPathComponent(AdapterManifest.fileName)
        guard let data = FileManager.default.contents(atPath: url.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["kind"] as? String
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
            throw APIError(status: 422, code: "adapter-rejected", title: "Adapter checkpoint rejected", detail: "\(error)", field: "path")
        }
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
        guard let removed = context.engine.prompts.registry.remove(named: name) else {
            throw APIError(status: 404, code: "adapter-not-found", title: "Unknown adapter",
                           detail: "no loaded prompt named '\(name)'", field: "name")
        }
        context.logger.notice("prompt removed", metadata: ["prompt": "\(removed.name)@\(removed.version)"])
        return HTTPResponse(status: .noContent)
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
