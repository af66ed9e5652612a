import JSON

/// Python's view of JSON values, for error messages that quote a manifest's values exactly as the
/// Python side of the adapter contract prints them.
extension JSONValue {
    /// Python's `json.dumps(value)` for the values error messages quote: strings escaped with
    /// `\uXXXX` for non-ASCII (ensure_ascii), floats as Python's `repr`, `", "` and `": "` separators.
    var pythonDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return Self.pythonFloat(d)
        case .string(let s): return Self.pythonQuoted(s)
        case .array(let items): return "[" + items.map(\.pythonDescription).joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { "\(Self.pythonQuoted($0)): \(fields[$0]!.pythonDescription)" }
                .joined(separator: ", ") + "}"
        }
    }

    static func pythonQuoted(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// Python's float repr for finite values: shortest round-trip digits, "48.0" not "48".
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        // Swift's description is shortest round-trip too ("48.0", "1e-05"), as Python's repr.
        return d.description
    }
}
