/// Which URLs `image_url` members may fetch. Off by default: a server that fetches arbitrary
/// URLs is a proxy into its own network (SSRF), so every host must be listed.
public struct ImageURLPolicy: Sendable, Equatable {
    /// Lower-cased host names and IP literals.
    public var allowedHosts: [String]
    public var maxBytes: Int
    public var timeoutSeconds: Double

    public var isEnabled: Bool { !allowedHosts.isEmpty }
}
