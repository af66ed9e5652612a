/// How much work a JSON body asks of the parser, measured before parsing it.
///
/// Foundation's decoder builds an object per value and recurses per level: a valid 16 MB
/// body of `[{},{},…]` (5.6 million values) took seconds of CPU and hundreds of MB before any
/// limit applied, and deep nesting recurses the parser's stack. One linear pass over the bytes
/// — no allocation, strings skipped with their escapes — counts values and nesting depth, so a
/// body is refused by its shape before the parser sees it.
public struct JSONLimits: Sendable, Equatable {
    /// Most values (containers, strings, numbers, literals) in one body.
    public var maxValues: Int
    /// Deepest nesting of arrays and objects.
    public var maxDepth: Int

    public init(maxValues: Int, maxDepth: Int) {
        self.maxValues = maxValues
        self.maxDepth = maxDepth
    }

    /// The configuration's defaults (`limits.max_json_values`, `limits.max_json_depth`).
    public static let standard = JSONLimits(maxValues: 100_000, maxDepth: 64)
}

enum JSONShape {
    /// Throws when `body` has more values or deeper nesting than `limits` allow. Malformed
    /// JSON is left for the parser to describe; this only bounds the work it will do.
    static func check(_ body: some Collection<UInt8>, limits: JSONLimits) throws(APIError) {
        var values = 0
        var depth = 0
        var inString = false
        var escaped = false
        // Values are counted as containers plus separators: a container of n members has n − 1
        // commas, so this is the number of values less one per non-empty container — exact
        // enough for a limit, and no tokenising needed.
        for byte in body {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                values += 1
                guard depth <= limits.maxDepth else {
                    throw APIError(status: 400, code: "json-too-deep", title: "JSON nested too deeply",
                                   detail: "the body nests arrays and objects deeper than \(limits.maxDepth) levels (limits.max_json_depth)")
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                values += 1
            default:
                break
            }
            guard values <= limits.maxValues else {
                throw APIError(status: 413, code: "json-too-large", title: "Too many JSON values",
                               detail: "the body holds more than \(limits.maxValues) JSON values (limits.max_json_values)")
            }
        }
    }
}
