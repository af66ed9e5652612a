/// Which URLs `image_url` members may fetch. Off by default: a server that fetches arbitrary
/// URLs is a proxy into its own network (SSRF), so every host must be listed.
public struct ImageURLPolicy: Sendable, Equatable {
    /// Lower-cased host names and IP literals.
    public var allowedHosts: [String]
    public var maxBytes: Int
    public var timeoutSeconds: Double
    /// Same-origin redirects followed at most (`image_url.max_redirects`).
    public var maxRedirects: Int

    public init(allowedHosts: [String], maxBytes: Int, timeoutSeconds: Double, maxRedirects: Int) {
        self.allowedHosts = allowedHosts
        self.maxBytes = maxBytes
        self.timeoutSeconds = timeoutSeconds
        self.maxRedirects = maxRedirects
    }

    public var isEnabled: Bool { !allowedHosts.isEmpty }

    /// `host` (lower-case, IPv6 without brackets) is listed, by name or as the same address.
    func allows(host: String) -> Bool {
        if allowedHosts.contains(host) { return true }
        return IPAddress(host).map(allows(address:)) ?? false
    }

    /// `address` is listed as an IP literal (compared as bytes, so any spelling matches).
    func allows(address: IPAddress) -> Bool {
        allowedHosts.contains { IPAddress($0) == address }
    }
}
