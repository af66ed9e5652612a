/// Remembers which adapter checkpoint is active in each slot, so a restart restores the set
/// an operator chose rather than the configured default.
public protocol ActiveAdapterStore: Sendable {
    func recordActive(slot: String, path: String)
    func activePath(slot: String) -> String?
}
