import Engine
import Foundation
import HTTPServer
import Models

/// `/admin/adapters`: list, load (validate + warm up), activate (atomic swap), unload.
/// Every handler first checks the bearer token (404 when none is configured).
enum AdminRoutes {
    struct AdapterView: Encodable {
        let key: String
        let kind: String
        let name: String
        let version: String
        let language: String
        let base_encoder: String
        let clip: String
        let sha256: String
        let path: String
        let loaded_at: String
        let active: Bool
        /// Requests served by this adapter's current activation (0 when not active).
        let requests: Int
    }

    struct SlotView: Encodable {
        let slot: String
        let active: String?
        let generation: Int?
        let activated_at: String?
        let requests: Int
    }

    struct Listing: Encodable {
        let slots: [SlotView]
        let adapters: [AdapterView]
        let prompts: [PromptAdmin.PromptView]
    }

    static func list(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(listing(context))
    }

    static func load(_ request: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        try context.admin.check(request)
        let reader = try FieldReader.parseBody(request.body)
        try reader.rejectUnknown(["path", "activate"])
        let path = try reader.requiredString("path")
        let activate = try reader.bool("activate") ?? false
        if PromptAdmin.kind(ofCheckpointAt: path) == PromptManifest.kind { return try await PromptAdmin.load(path: path, context) }
        let adapter: LanguageAdapter
        do {
            adapter = try await loadOffThePool(path: path, engine: context.engine)
        } catch {
            throw APIError(status: 422, code: "adapter-rejected", title: "Adapter checkpoint rejected",
                           detail: "\(error)", field: "path")
        }
        let entry = AdapterRegistry.Entry(adapter: adapter, path: path, loadedAt: Date())
        context.adapters.add(entry)
        context.logger.notice("adapter loaded", metadata: ["adapter": "\(entry.key)", "path": "\(path)"])
        if activate { try swap(to: entry, context) }
        return try .encoded(view(entry, context), status: .created)
    }

    static func activate(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let entry = try find(request.pathParameters["name"] ?? "", context)
        try swap(to: entry, context)
        return try .encoded(view(entry, context))
    }

    static func unload(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        if let removed = try PromptAdmin.unload(request.pathParameters["name"] ?? "", context) { return removed }
        let entry = try find(request.pathParameters["name"] ?? "", context)
        if isActive(entry, context) {
            throw APIError(status: 409, code: "adapter-active", title: "Adapter is active",
                           detail: "'\(entry.key)' is serving requests; activate another adapter first", field: "name")
        }
        context.adapters.remove(entry.key)
        context.logger.notice("adapter unloaded", metadata: ["adapter": "\(entry.key)"])
        return HTTPResponse(status: .noContent)
    }

    static func startReindex(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let status = try context.reindexer.start(try context.requireCollection(), engine: context.engine, logger: context.logger)
        return try .encoded(status, status: status.state == "running" ? HTTPStatus(code: 202) : .ok)
    }

    static func reindexStatus(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(context.reindexer.status)
    }

    // MARK: - Helpers

    /// Checkpoint validation hashes and decodes a file: a blocking job for a dispatch queue,
    /// not for the cooperative threads that serve other requests.
    private static func loadOffThePool(path: String, engine: EmbeddingEngine) async throws -> LanguageAdapter {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try engine.loadLanguageAdapter(directory: URL(fileURLWithPath: path)) })
            }
        }
    }

    /// Records the choice in SQLite first, then switches: a restart never forgets a switch that
    /// happened, and a failed write leaves the old adapter serving.
    private static func swap(to entry: AdapterRegistry.Entry, _ context: ServiceContext) throws {
        let manifest = entry.adapter.manifest
        if let catalog = context.adapterCatalog {
            let manifestURL = URL(fileURLWithPath: entry.path).appendingPathComponent(AdapterManifest.fileName)
            let manifestJSON = (try? String(contentsOf: manifestURL, encoding: .utf8)) ?? "{}"
            try catalog.activate(.init(
                kind: manifest.kind, name: manifest.name, version: manifest.version, baseModel: manifest.baseEncoder.id,
                sha256: manifest.weights.sha256, manifestJSON: manifestJSON, path: entry.path))
        }
        let previous = context.engine.activate(entry.adapter)
        context.metrics.recordAdapterSwap(slot: context.engine.languageAdapters.slotName)
        context.logger.notice("adapter activated", metadata: [
            "slot": "\(context.engine.languageAdapters.slotName)", "adapter": "\(entry.key)",
            "previous": "\(previous.map { "\($0.name)@\($0.version)" } ?? "none")",
        ])
    }

    private static func find(_ reference: String, _ context: ServiceContext) throws(APIError) -> AdapterRegistry.Entry {
        switch context.adapters.find(reference) {
        case .found(let entry): return entry
        case .missing:
            throw APIError(status: 404, code: "adapter-not-found", title: "Unknown adapter",
                           detail: "no loaded adapter named '\(reference)'", field: "name")
        case .ambiguous(let keys):
            throw APIError(status: 409, code: "adapter-ambiguous", title: "Ambiguous adapter name",
                           detail: "'\(reference)' matches \(keys.joined(separator: ", ")); use name@version", field: "name")
        }
    }

    private static func isActive(_ entry: AdapterRegistry.Entry, _ context: ServiceContext) -> Bool {
        guard let active = context.engine.languageAdapters.active else { return false }
        return active.name == entry.adapter.manifest.name && active.version == entry.adapter.manifest.version
            && active.adapter.manifest.weights.sha256 == entry.adapter.manifest.weights.sha256
    }

    private static func listing(_ context: ServiceContext) -> Listing {
        let slot = context.engine.languageAdapters
        let active = slot.active
        return Listing(
            slots: [SlotView(
                slot: slot.slotName, active: active.map { "\($0.name)@\($0.version)" }, generation: active?.generation,
                activated_at: active.map { ISO8601DateFormatter().string(from: $0.activatedAt) },
                requests: active.map { slot.requestCount(generation: $0.generation) } ?? 0)],
            adapters: context.adapters.all.map { view($0, context) }, prompts: PromptAdmin.views(context))
    }

    private static func view(_ entry: AdapterRegistry.Entry, _ context: ServiceContext) -> AdapterView {
        let manifest = entry.adapter.manifest
        let active = isActive(entry, context)
        let slot = context.engine.languageAdapters
        return AdapterView(
            key: entry.key, kind: manifest.kind, name: manifest.name, version: manifest.version,
            language: manifest.language, base_encoder: manifest.baseEncoder.id, clip: manifest.clip.id,
            sha256: manifest.weights.sha256, path: entry.path,
            loaded_at: ISO8601DateFormatter().string(from: entry.loadedAt), active: active,
            requests: active ? (slot.active.map { slot.requestCount(generation: $0.generation) } ?? 0) : 0)
    }
}
