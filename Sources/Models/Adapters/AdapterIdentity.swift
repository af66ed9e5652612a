/// Which checkpoint something came from: name and version as the manifest declares them, and
/// the SHA-256 of the weights they were read from.
///
/// `description` ("name@version") is how people see it: logs, metrics, admin listings,
/// `/v1/classify`'s `prompt`. `fingerprint` adds a digest prefix and keys whatever outlives a
/// request — cached vectors, `producer`, an index's embedding space — because a checkpoint
/// retrained under the same name@version must never be answered from the old one's vectors.
public struct AdapterIdentity: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let version: String
    /// SHA-256 of the weights file: 64 lower-case hex digits.
    public let digest: String

    /// Hex digits of the digest a fingerprint keeps: 48 bits, enough to tell apart the
    /// versions of one name, short enough to read in a `producer`.
    public static let fingerprintDigits = 12

    public init(name: String, version: String, digest: String) {
        (self.name, self.version, self.digest) = (name, version, digest)
    }

    public var description: String { "\(name)@\(version)" }

    /// "name@version:<first 12 hex digits of the digest>".
    public var fingerprint: String { "\(description):\(digest.prefix(Self.fingerprintDigits))" }

    /// This checkpoint as part of an embedding space or a producer: "<kind>:<fingerprint>".
    public func qualified(_ kind: AdapterKind) -> String { "\(kind.rawValue):\(fingerprint)" }

    /// The `producer` of vectors `base` makes with this adapter: "<base>+<kind>:<fingerprint>".
    /// A language adapter leaves out its kind ("bert-zh+zh@2:1a2b3c4d5e6f"): its base encoder
    /// already says what it is, and that form is the documented API (docs/openapi.yaml).
    public func producer(base: String, kind: AdapterKind) -> String {
        kind == .language ? "\(base)+\(fingerprint)" : "\(base)+\(qualified(kind))"
    }
}
