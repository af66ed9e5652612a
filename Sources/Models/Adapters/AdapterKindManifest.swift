/// What every kind's parsed `adapter.json` has, whatever its own sections: its kind, name,
/// version and weights — so one identity is derived the same way for all kinds.
public protocol AdapterKindManifest: Sendable {
    static var kind: AdapterKind { get }
    var name: String { get }
    var version: String { get }
    var weights: AdapterManifest.Weights { get }
}

extension AdapterKindManifest {
    public var kind: AdapterKind { Self.kind }
    public var identity: AdapterIdentity { AdapterIdentity(name: name, version: version, digest: weights.sha256) }
}
