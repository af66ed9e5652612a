import Models

/// Why the lifecycle refused an operation. The admin routes turn these into problem documents
/// (`APIError(_:)` in Routes/AdapterRoutes.swift); this layer says nothing about HTTP.
enum AdapterLifecycleError: Error {
    /// The checkpoint could not be loaded: a refusal of its format or content, or the server
    /// lacking what the kind needs.
    case rejected(any Error)
    case notFound(reference: String)
    case ambiguous(reference: String, keys: [String])
    /// Deleting a checkpoint that serves requests.
    case active(key: String)
    /// Deactivating the only checkpoint of a slot that must always serve one.
    case required(key: String, kind: AdapterKind)
    case notActive(key: String, kind: AdapterKind)
    /// Activating or deactivating a checkpoint of a kind served by name: loading serves it,
    /// deleting stops it.
    case servedByName(key: String, kind: AdapterKind)
}
