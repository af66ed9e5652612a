/// How large a metadata filter may be. The service sets these from `limits.max_filter_keys`,
/// `limits.max_filter_key_bytes` and `limits.max_filter_value_bytes`; the store itself refuses
/// anything past `ceiling`, whatever the caller configured.
public struct MetadataFilterLimits: Sendable, Equatable {
    public var maxKeys: Int
    /// UTF-8 bytes of one key.
    public var maxKeyBytes: Int
    /// UTF-8 bytes of one string value.
    public var maxValueBytes: Int

    public init(maxKeys: Int, maxKeyBytes: Int, maxValueBytes: Int) {
        self.maxKeys = maxKeys
        self.maxKeyBytes = maxKeyBytes
        self.maxValueBytes = maxValueBytes
    }

    public static let `default` = MetadataFilterLimits(maxKeys: 16, maxKeyBytes: 256, maxValueBytes: 1024)

    /// What one filter query can carry. Keys: each deepens the WHERE clause's expression tree,
    /// which SQLite caps at depth 1000 (SQLITE_MAX_EXPR_DEPTH; a few hundred keys reach it and
    /// the query fails), so 64 keeps a wide margin. Sizes: far above any real metadata.
    public static let ceiling = MetadataFilterLimits(maxKeys: 64, maxKeyBytes: 1024, maxValueBytes: 65_536)
}

/// Why a metadata filter was refused. The text never quotes a refused key (it may be huge or
/// hold control characters); a key is named only once it is known to be valid.
public enum MetadataFilterRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case tooManyKeys(count: Int, limit: Int)
    case invalidKey(MetadataFilterRules.KeyProblem, limit: Int)
    case valueNotScalar(key: String)
    case valueTooLong(key: String, bytes: Int, limit: Int)

    /// The request member at fault: `filter` for the filter as a whole or a key that cannot be
    /// named, `filter.<key>` for a key's value.
    public var member: String {
        switch self {
        case .tooManyKeys, .invalidKey: "filter"
        case .valueNotScalar(let key), .valueTooLong(let key, _, _): "filter.\(key)"
        }
    }

    public var description: String {
        switch self {
        case .tooManyKeys(let count, let limit):
            "'filter' has \(count) keys; the limit is \(limit)"
        case .invalidKey(let problem, let limit):
            "'filter' has a key that \(problem.description(limit: limit)); \(MetadataFilterRules.keyRule(limit: limit))"
        case .valueNotScalar(let key):
            "'filter.\(key)' must be a string, number, boolean or null"
        case .valueTooLong(let key, let bytes, let limit):
            "'filter.\(key)' is \(bytes) bytes long; the limit is \(limit)"
        }
    }
}

/// The shape of a metadata filter: which keys can be matched and how large it may be.
///
/// A key is matched through the JSON path `$."<key>"`. SQLite reads a quoted path label up to
/// the next `"` with no escapes, and stops at NUL (the "JSON path error" a NUL key caused), and
/// keys that JSON escapes (`"`, `\`, control characters) are stored escaped, so such a label
/// would never equal them. Hence the rule: 1 to `maxKeyBytes` UTF-8 bytes, no control
/// characters (U+0000–U+001F, U+007F), no `"` and no `\`. With it, the quoted label is the
/// key, byte for byte.
public enum MetadataFilterRules {
    public enum KeyProblem: Sendable, Equatable {
        case empty
        case tooLong(bytes: Int)
        case forbiddenCharacter

        func description(limit: Int) -> String {
            switch self {
            case .empty: "is empty"
            case .tooLong(let bytes): "is \(bytes) bytes long (limit \(limit))"
            case .forbiddenCharacter: "holds a control character, '\"' or '\\'"
            }
        }
    }

    static func keyRule(limit: Int) -> String {
        "a key is 1 to \(limit) bytes of UTF-8 without control characters, '\"' or '\\'"
    }

    /// Checks `filter` against `limits`: the key count first, then each key in sorted order
    /// (so the first refusal does not depend on a dictionary's order), key before value.
    public static func check(_ filter: MetadataFilter, limits: MetadataFilterLimits) throws(MetadataFilterRefusal) {
        guard filter.count <= limits.maxKeys else { throw .tooManyKeys(count: filter.count, limit: limits.maxKeys) }
        for key in filter.keys.sorted() {
            if let problem = keyProblem(key, maxBytes: limits.maxKeyBytes) { throw .invalidKey(problem, limit: limits.maxKeyBytes) }
            switch filter[key] {
            case .string(let text):
                let bytes = text.utf8.count
                guard bytes <= limits.maxValueBytes else { throw .valueTooLong(key: key, bytes: bytes, limit: limits.maxValueBytes) }
            case .integer, .number, .bool, .null, nil:
                break
            case .array, .object:
                throw .valueNotScalar(key: key)
            }
        }
    }

    /// Why `key` cannot be matched, or nil when it can.
    public static func keyProblem(_ key: String, maxBytes: Int) -> KeyProblem? {
        let bytes = key.utf8.count
        if bytes == 0 { return .empty }
        if bytes > maxBytes { return .tooLong(bytes: bytes) }
        let forbidden = key.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        return forbidden ? .forbiddenCharacter : nil
    }

    /// The JSON path of a key that passed `keyProblem`.
    static func path(of key: String) -> String { "$.\"\(key)\"" }
}
