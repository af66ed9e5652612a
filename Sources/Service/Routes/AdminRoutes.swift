import Engine
import Foundation
import HTTPServer
import Models

/// `/admin/adapters`: list, load (validate + warm up), activate (atomic swap), deactivate (a
/// domain adapter), unload — for every adapter kind, each in its own slot. Every handler first
/// checks the bearer token (404 when none is configured).
enum AdminRoutes {
    struct AdapterView: Encodable {
        let key: String
        let kind: String
        /// The encoder side it changes: "text" (language), "vision", "text" or "vision+text" (domain).
        let side: String
        let name: String
        let version: String
        /// Language adapters only.
        let language: String?
        let base_encoder: String?
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
        let adapter: LoadedAdapter
        do {
            adapter = try await loadOffThePool(path: path, engine: context.engine)
        } catch {
            throw AdapterRejection.problem(error)
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

    /// Switches a domain adapter off: new requests run the frozen encoders again. A language
    /// adapter cannot be switched off (the zh route needs one); activate another instead.
    static func deactivate(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let entry = try find(request.pathParameters["name"] ?? "", context)
        guard case .domain = entry.adapter else {
            throw APIError(status: 409, code: "adapter-required", title: "Slot needs an adapter",
                           detail: "'\(entry.key)' is a \(entry.adapter.kind) adapter; its slot always serves one, activate another instead",
                           field: "name")
        }
        guard entry.adapter.isActive(in: context.engine) else {
            throw APIError(status: 409, code: "adapter-not-active", title: "Adapter is not active",
                           detail: "'\(entry.key)' is not the active domain adapter", field: "name")
        }
        // Recorded first, as for activation: a failed write leaves the adapter serving.
        try context.adapterCatalog?.deactivate(kind: entry.adapter.kind)
        context.engine.deactivateDomainAdapter()
        context.metrics.recordAdapterSwap(slot: context.engine.domainAdapters.slotName)
        context.logger.notice("adapter deactivated", metadata: [
            "slot": "\(context.engine.domainAdapters.slotName)", "adapter": "\(entry.key)",
        ])
        return try .encoded(view(entry, context))
    }

    static func unload(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        if let removed = try PromptAdmin.unload(request.pathParameters["name"] ?? "", context) { return removed }
        let entry = try find(request.pathParameters["name"] ?? "", context)
        if entry.adapter.isActive(in: context.engine) {
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
    private static func loadOffThePool(path: String, engine: EmbeddingEngine) async throws -> LoadedAdapter {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try LoadedAdapter.load(directory: URL(fileURLWithPath: path), engine: engine) })
            }
        }
    }

    /// Records the choice in SQLite first, then switches: a restart never forgets a switch that
    /// happened, and a failed write leaves the old adapter serving.
    private static func swap(to entry: AdapterRegistry.Entry, _ context: ServiceContext) throws {
        let adapter = entry.adapter
        if let catalog = context.adapterCatalog {
            let manifestJSON = (try? AdapterManifestFile.text(directory: URL(fileURLWithPath: entry.path))) ?? "{}"
            try catalog.activate(.init(
                kind: adapter.kind, name: adapter.name, version: adapter.version, baseModel: adapter.baseModel,
                sha256: adapter.sha256, manifestJSON: manifestJSON, path: entry.path))
        }
        let previous = adapter.activate(in: context.engine)
        let slot = adapter.slotName(context.engine)
        context.metrics.recordAdapterSwap(slot: slot)
        context.logger.notice("adapter activated", metadata: [
            "slot": "\(slot)", "adapter": "\(entry.key)", "previous": "\(previous ?? "none")",
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

    private static func listing(_ context: ServiceContext) -> Listing {
        let engine = context.engine
        return Listing(
            slots: [slotView(engine.languageAdapters), slotView(engine.domainAdapters)],
            adapters: context.adapters.all.map { view($0, context) }, prompts: PromptAdmin.views(context))
    }

    private static func slotView<Adapter>(_ slot: AdapterSlot<Adapter>) -> SlotView {
        let active = slot.active
        return SlotView(
            slot: slot.slotName, active: active.map { "\($0.name)@\($0.version)" }, generation: active?.generation,
            activated_at: active.map { ISO8601DateFormatter().string(from: $0.activatedAt) },
            requests: active.map { slot.requestCount(generation: $0.generation) } ?? 0)
    }

    private static func view(_ entry: AdapterRegistry.Entry, _ context: ServiceContext) -> AdapterView {
        let adapter = entry.adapter
        var language: String?, baseEncoder: String?
        if case .language(let a) = adapter { (language, baseEncoder) = (a.manifest.language, a.manifest.baseEncoder.id) }
        return AdapterView(
            key: entry.key, kind: adapter.kind, side: adapter.side, name: adapter.name, version: adapter.version,
            language: language, base_encoder: baseEncoder, clip: adapter.clipID, sha256: adapter.sha256, path: entry.path,
            loaded_at: ISO8601DateFormatter().string(from: entry.loadedAt), active: adapter.isActive(in: context.engine),
            requests: adapter.requestCount(in: context.engine))
    }
}
