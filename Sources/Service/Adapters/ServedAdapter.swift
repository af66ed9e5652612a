import Engine
import Foundation
import Models

/// One adapter kind as the service serves it. The lifecycle (`AdapterLifecycle`: load,
/// activate, deactivate, delete, restore at start), the registry of loaded checkpoints, the
/// adapters table and the admin routes are written once over this protocol; a kind supplies
/// only what differs: loading its checkpoint (parse, validate against the loaded models, warm
/// up), how it serves, and how it is installed into the engine.
///
/// Conformances live in `Kinds/`, one file per kind; `AdapterKind.served` maps a kind to its type.
protocol ServedAdapter: Sendable {
    /// The kind whose admin routes, table rows and slot it goes by.
    static var kind: AdapterKind { get }
    /// Which checkpoint it is: name, version and the digest of its weights.
    var identity: AdapterIdentity { get }

    /// Whether one checkpoint of the kind serves at a time or every loaded one, by name.
    static var activation: AdapterActivation { get }

    /// Parses the checkpoint in `directory`, validates it against the engine's models and runs
    /// it once — everything that can fail happens here, before it can touch what is serving.
    /// Blocking (hashes and decodes files): callers keep it off the cooperative threads.
    static func load(directory: URL, engine: EmbeddingEngine) throws -> Self

    /// The checkpoints of this kind the engine serves now.
    static func serving(in engine: EmbeddingEngine) -> [Self]

    /// The engine slot of a kind that serves one at a time; nil for a kind served by name.
    static func slot(in engine: EmbeddingEngine) -> AdapterSlotSnapshot?

    /// Makes it serve new requests (requests in flight keep what they took); returns what it
    /// replaced. Cannot fail: everything that can has been checked by `load`.
    func activate(in engine: EmbeddingEngine) -> AdapterIdentity?

    /// Stops serving the checkpoint named `name` of this kind (new requests go without).
    static func deactivate(named name: String, in engine: EmbeddingEngine)

    /// The model the adapters table records it against.
    var baseModel: String { get }

    /// How the admin listing shows it.
    func view(_ status: AdapterStatus) -> AdapterListingItem
}

extension ServedAdapter {
    var kind: AdapterKind { Self.kind }
}

/// Checkpoints read from an `adapter.json` take kind and identity from it.
extension ServedAdapter where Self: HasAdapterManifest {
    static var kind: AdapterKind { Manifest.kind }
    var identity: AdapterIdentity { manifest.identity }
}

/// A checkpoint type parsed from an `adapter.json`.
protocol HasAdapterManifest {
    associatedtype Manifest: AdapterKindManifest
    var manifest: Manifest { get }
}

/// How the loaded checkpoints of a kind serve.
enum AdapterActivation: Equatable {
    /// One at a time, in the kind's engine slot; activating another swaps it atomically.
    /// `optional`: whether the slot may serve none (a domain adapter can be switched off; the
    /// Chinese route cannot answer without its language adapter).
    case onePerKind(optional: Bool)
    /// Every loaded checkpoint serves, one per name, and a request picks one by name: loading
    /// activates it (replacing an older version of that name) and deleting deactivates it.
    case onePerName
}

/// What the registry and the engine say about one loaded checkpoint, for its listing view.
struct AdapterStatus {
    let key: String
    let path: String
    let loadedAt: Date
    let active: Bool
    /// Requests served by its current activation (0 when not active).
    let requests: Int
}

/// A kind served one at a time from an engine `AdapterSlot`: what serves, the slot's state and
/// the swap all come from that slot, so such a kind supplies only which slot it is.
protocol SlotServedAdapter: ServedAdapter {
    static func engineSlot(_ engine: EmbeddingEngine) -> AdapterSlot<Self>
}

extension SlotServedAdapter {
    static func serving(in engine: EmbeddingEngine) -> [Self] { engineSlot(engine).active.map { [$0.adapter] } ?? [] }

    static func slot(in engine: EmbeddingEngine) -> AdapterSlotSnapshot? { engineSlot(engine).snapshot }

    func activate(in engine: EmbeddingEngine) -> AdapterIdentity? {
        Self.engineSlot(engine).activate(self, identity: identity)?.identity
    }

    static func deactivate(named name: String, in engine: EmbeddingEngine) { engineSlot(engine).clear() }
}
