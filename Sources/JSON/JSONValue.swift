/// A parsed JSON document that keeps what `JSONSerialization` blurs: `32` (integer) versus
/// `32.0` (number) versus `true`, and `null` versus a missing key. Requests, configuration files,
/// adapter manifests and stored metadata are all read into this one type, so every layer names a
/// wrong field the same way.
///
/// Duplicate object keys: the last one wins, as in Python. Lone UTF-16 surrogates from `\u`
/// escapes become U+FFFD (Python keeps them). An integer literal outside `Int` becomes `.number`.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a whole document of UTF-8 bytes; the error says where and why.
    public static func parse(_ bytes: some Collection<UInt8>, grammar: JSONGrammar = .rfc8259) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), grammar: grammar)
        return try parser.document()
    }

    public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }

    /// An integer, or a number with no fractional part that fits `Int` (JSON Schema's
    /// "integer": `10.0` is one, as clients that only have doubles write it).
    public var integralValue: Int? {
        switch self {
        case .integer(let i): i
        case .number(let d) where d.rounded() == d && abs(d) < 9_007_199_254_740_992: Int(d)
        default: nil
        }
    }

    /// The JSON type name used in error messages ("a string", "an array" ...).
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Which text `JSONValue.parse` accepts.
public enum JSONGrammar: Sendable {
    /// RFC 8259, for requests and configuration.
    case rfc8259
    /// RFC 8259 plus the literals `NaN`, `Infinity` and `-Infinity` that Python's `json.loads`
    /// accepts, for files Python writes (adapter manifests): a `"layer_norm_eps": NaN` is then
    /// refused by the same field check on both sides, not as a parse error on one.
    case python
}

public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
