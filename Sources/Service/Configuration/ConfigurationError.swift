/// A start-up error that names the key (and where it came from) so the operator can fix it.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unknownKey(key: String, source: String)
    case invalidValue(key: String, source: String, reason: String)
    case unreadableFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKey(let key, let source):
            "unknown configuration key '\(key)' in \(source)"
        case .invalidValue(let key, let source, let reason):
            "invalid value for '\(key)' in \(source): \(reason)"
        case .unreadableFile(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        }
    }
}
