import Retrieval

extension JSONValue {
    /// The request's JSON as the store keeps metadata (numbers are doubles there).
    var storedValue: Retrieval.JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .number(Double(i))
        case .double(let d): .number(d)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(\.storedValue))
        case .object(let o): .object(o.mapValues(\.storedValue))
        }
    }
}
