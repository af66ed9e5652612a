import Engine
import Foundation
import Models

/// What `/admin/adapters` answers with (docs/openapi.yaml: `AdapterListing`, `Adapter`,
/// `Prompt`). Kinds served one at a time share `AdapterView`; prompts have their own shape.
enum AdapterListingItem: Encodable {
    case adapter(AdapterView)
    case prompt(PromptView)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .adapter(let view): try view.encode(to: encoder)
        case .prompt(let view): try view.encode(to: encoder)
        }
    }
}

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

    init(
        _ status: AdapterStatus, identity: AdapterIdentity, kind: AdapterKind, side: String, language: String?,
        baseEncoder: String?, clip: String
    ) {
        key = status.key
        self.kind = kind.rawValue
        self.side = side
        (name, version, sha256) = (identity.name, identity.version, identity.digest)
        self.language = language
        base_encoder = baseEncoder
        self.clip = clip
        path = status.path
        loaded_at = Self.timestamp(status.loadedAt)
        (active, requests) = (status.active, status.requests)
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

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

struct SlotView: Encodable {
    let slot: String
    let active: String?
    let generation: Int?
    let activated_at: String?
    let requests: Int

    init(_ snapshot: AdapterSlotSnapshot) {
        slot = snapshot.slotName
        active = snapshot.active?.description
        generation = snapshot.generation
        activated_at = snapshot.activatedAt.map(AdapterView.timestamp)
        requests = snapshot.requests
    }
}

struct AdapterListing: Encodable {
    let slots: [SlotView]
    let adapters: [AdapterView]
    let prompts: [PromptView]

    init(slots: [AdapterSlotSnapshot], items: [AdapterListingItem]) {
        self.slots = slots.map(SlotView.init)
        adapters = items.compactMap { if case .adapter(let view) = $0 { view } else { nil } }
        prompts = items.compactMap { if case .prompt(let view) = $0 { view } else { nil } }
    }
}
