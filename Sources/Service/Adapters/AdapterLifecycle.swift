import Engine
import Foundation
import Logging
import Models
import Retrieval

/// The one lifecycle of adapter checkpoints, for every kind: load (parse, validate against the
/// loaded models, warm up), activate, deactivate, delete — and restore at start
/// (`AdapterLifecycle+Restore.swift`). Per-kind code is only the `ServedAdapter` conformance.
///
/// Each change is recorded in the adapters table before the engine switches: a restart never
/// forgets a switch that happened, and a failed write leaves what serves unchanged.
final class AdapterLifecycle: Sendable {
    /// What is loaded. What serves is the engine's active set (`ServedAdapter.serving`).
    let registry = AdapterRegistry()
    let engine: EmbeddingEngine
    /// Where activations are remembered across restarts (nil: nowhere).
    let catalog: AdapterCatalog?
    let logger: Logger
    let metrics: ServiceMetrics

    init(engine: EmbeddingEngine, catalog: AdapterCatalog?, logger: Logger, metrics: ServiceMetrics) {
        (self.engine, self.catalog, self.logger, self.metrics) = (engine, catalog, logger, metrics)
    }

    /// Loads the checkpoint in `path` with the loader of the kind its manifest names (the
    /// language loader when it names none this server knows, which then refuses with the
    /// precise reason). A kind served by name serves at once; another is staged unless
    /// `activate`.
    func load(path: String, activate: Bool) async throws -> AdapterRegistry.Entry {
        let directory = URL(fileURLWithPath: path)
        let type = (AdapterManifestFile.declaredKind(directory: directory) ?? .language).served
        let adapter: any ServedAdapter
        do {
            adapter = try await Self.offTheCooperativePool { [engine] in try type.load(directory: directory, engine: engine) }
        } catch {
            throw AdapterLifecycleError.rejected(error)
        }
        let entry = AdapterRegistry.Entry(adapter: adapter, path: path, loadedAt: Date())
        if entry.activation == .onePerName {
            try switchOn(entry)
        } else {
            registry.add(entry)
            logger.notice("adapter loaded", metadata: ["kind": "\(entry.kind.rawValue)", "adapter": "\(entry.identity)", "path": "\(path)"])
            if activate { try self.activate(entry) }
        }
        return entry
    }

    /// Makes `entry` what its kind's slot serves; requests in flight finish on the previous one.
    func activate(_ entry: AdapterRegistry.Entry) throws {
        guard entry.activation != .onePerName else { throw AdapterLifecycleError.servedByName(key: entry.key, kind: entry.kind) }
        try switchOn(entry)
    }

    /// Switches a kind's optional slot off: new requests run without an adapter of that kind.
    func deactivate(_ entry: AdapterRegistry.Entry) throws {
        switch entry.activation {
        case .onePerName: throw AdapterLifecycleError.servedByName(key: entry.key, kind: entry.kind)
        case .onePerKind(optional: false): throw AdapterLifecycleError.required(key: entry.key, kind: entry.kind)
        case .onePerKind(optional: true): break
        }
        guard isActive(entry) else { throw AdapterLifecycleError.notActive(key: entry.key, kind: entry.kind) }
        try catalog?.deactivate(kind: entry.kind.rawValue)
        switchOff(entry)
    }

    /// Unloads `entry`. A checkpoint that serves one at a time must be replaced first; one
    /// served by name stops serving (and is not restored) as it is deleted.
    func delete(_ entry: AdapterRegistry.Entry) throws {
        if entry.activation == .onePerName {
            try catalog?.uninstall(kind: entry.kind.rawValue, name: entry.identity.name)
            switchOff(entry)
        } else if isActive(entry) {
            throw AdapterLifecycleError.active(key: entry.key)
        }
        registry.remove(entry.key)
        logger.notice("adapter unloaded", metadata: ["kind": "\(entry.kind.rawValue)", "adapter": "\(entry.identity)"])
    }

    func find(_ reference: String) throws(AdapterLifecycleError) -> AdapterRegistry.Entry {
        switch registry.find(reference) {
        case .found(let entry): return entry
        case .missing: throw .notFound(reference: reference)
        case .ambiguous(let keys): throw .ambiguous(reference: reference, keys: keys)
        }
    }

    /// True when exactly these weights (name, version and digest) serve now.
    func isActive(_ entry: AdapterRegistry.Entry) -> Bool {
        type(of: entry.adapter).serving(in: engine).contains { $0.identity == entry.identity }
    }

    /// How the listing shows `entry` now.
    func status(_ entry: AdapterRegistry.Entry) -> AdapterStatus {
        let active = isActive(entry)
        let requests = active ? type(of: entry.adapter).slot(in: engine)?.requests ?? 0 : 0
        return AdapterStatus(key: entry.key, path: entry.path, loadedAt: entry.loadedAt, active: active, requests: requests)
    }

    /// The slots of the kinds served one at a time, in `AdapterKind` order.
    var slots: [AdapterSlotSnapshot] { AdapterKind.allCases.compactMap { $0.served.slot(in: engine) } }

    // MARK: - Switching

    /// Records the activation, then installs `entry` into the engine.
    private func switchOn(_ entry: AdapterRegistry.Entry) throws {
        if let catalog {
            let record = record(entry)
            if entry.activation == .onePerName { try catalog.install(record) } else { try catalog.activate(record) }
        }
        let previous = entry.adapter.activate(in: engine)
        if entry.activation == .onePerName { registry.add(entry) }
        let slot = type(of: entry.adapter).slot(in: engine)?.slotName
        if let slot { metrics.recordAdapterSwap(slot: slot) }
        logger.notice("adapter activated", metadata: [
            "kind": "\(entry.kind.rawValue)", "slot": "\(slot ?? "none")", "adapter": "\(entry.identity)",
            "previous": "\(previous.map(\.description) ?? "none")",
        ])
    }

    private func switchOff(_ entry: AdapterRegistry.Entry) {
        type(of: entry.adapter).deactivate(named: entry.identity.name, in: engine)
        let slot = type(of: entry.adapter).slot(in: engine)?.slotName
        if let slot { metrics.recordAdapterSwap(slot: slot) }
        logger.notice("adapter deactivated", metadata: [
            "kind": "\(entry.kind.rawValue)", "slot": "\(slot ?? "none")", "adapter": "\(entry.identity)",
        ])
    }

    /// What the adapters table keeps: the identity, the model it was made for, and the manifest
    /// as written on disk.
    private func record(_ entry: AdapterRegistry.Entry) -> AdapterCatalog.Record {
        let identity = entry.identity
        let manifestJSON = (try? AdapterManifestFile.text(directory: URL(fileURLWithPath: entry.path))) ?? "{}"
        return AdapterCatalog.Record(
            kind: entry.kind.rawValue, name: identity.name, version: identity.version, baseModel: entry.adapter.baseModel,
            sha256: identity.digest, manifestJSON: manifestJSON, path: entry.path)
    }

    /// Checkpoint validation hashes and decodes files: a blocking job for a dispatch queue, not
    /// for the cooperative threads that serve other requests.
    private static func offTheCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
