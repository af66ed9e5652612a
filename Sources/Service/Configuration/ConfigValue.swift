import JSON

/// One configuration value as it appears in a file, the environment or a flag.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A JSON array (a list of origins, of API-key entries): its key's check validates the
    /// items' shape. In the environment or a flag it is written as JSON text.
    case list([JSONValue])

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .list(let items): "[\(items.count) item\(items.count == 1 ? "" : "s")]"
        }
    }

    /// The kind of value a key accepts.
    public enum Kind: String, Sendable {
        case string, int, double, bool
        case list = "JSON array"
    }

    var kind: Kind {
        switch self {
        case .string: .string
        case .int: .int
        case .double: .double
        case .bool: .bool
        case .list: .list
        }
    }
}
