import Foundation
import JSON

/// Typed, named access to the members of a JSON request object. Every refusal is an
/// `APIError` naming the member by its path (`labels[2]`, `filter.colour`), and members the
/// endpoint does not know are refused rather than silently ignored.
public struct FieldReader: Sendable {
    public let members: [String: JSONValue]
    /// The path of this object inside the request ("" for the top level).
    public let path: String

    public init(members: [String: JSONValue], path: String = "") {
        self.members = members
        self.path = path
    }

    /// Parses a request body that must be a JSON object, after checking its shape against
    /// `limits` (a linear scan that refuses a body by its size in values before parsing it).
    public static func parseBody(_ body: some Collection<UInt8>, limits: JSONLimits = .standard) throws(APIError) -> FieldReader {
        guard !body.isEmpty else { throw APIError.malformedJSON("the request body is empty") }
        try JSONShape.check(body, limits: limits)
        let value: JSONValue
        do { value = try JSONValue.parse(body) } catch {
            throw APIError.malformedJSON(error.description)
        }
        guard case .object(let members) = value else {
            throw APIError.malformedJSON("the body must be a JSON object, got \(value.typeDescription)")
        }
        return FieldReader(members: members)
    }

    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Refuses members outside `known`: a typo must not be a silently ignored option.
    public func rejectUnknown(_ known: Set<String>) throws(APIError) {
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.invalidField(
                name(unknown), "unknown field '\(name(unknown))'; known fields: \(known.sorted().joined(separator: ", "))")
        }
    }

    /// nil for a missing member. An explicit `null` is returned, and every typed accessor
    /// refuses it by name: a member is either given with its type or left out.
    public func value(_ key: String) -> JSONValue? {
        members[key]
    }

    public func string(_ key: String) throws(APIError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else {
            throw APIError.invalidField(name(key), "'\(name(key))' must be a string, got \(v.typeDescription)")
        }
        return s
    }

    public func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key) else { throw APIError.missingField(name(key)) }
        return s
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.integralValue else {
            throw APIError.invalidField(name(key), "'\(name(key))' must be an integer, got \(v.typeDescription)")
        }
        guard range.contains(i) else {
            throw APIError.invalidField(
                name(key), "'\(name(key))' must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
        }
        return i
    }

    public func number(_ key: String) throws(APIError) -> Double? {
        guard let v = value(key) else { return nil }
        switch v {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default:
            throw APIError.invalidField(name(key), "'\(name(key))' must be a number, got \(v.typeDescription)")
        }
    }

    public func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else {
            throw APIError.invalidField(name(key), "'\(name(key))' must be true or false, got \(v.typeDescription)")
        }
        return b
    }

    /// A member whose string value must be one of an enum's raw values.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) throws(APIError) -> E?
    where E.RawValue == String {
        guard let s = try string(key) else { return nil }
        guard let e = E(rawValue: s) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.invalidField(name(key), "'\(name(key))' must be one of \(allowed), got \"\(s)\"")
        }
        return e
    }

    /// A non-empty array of strings of at most `limit` items (a lone string counts as one).
    public func strings(_ key: String, limit: Int, allowSingle: Bool = true) throws(APIError) -> [String]? {
        guard let v = value(key) else { return nil }
        let items: [JSONValue]
        switch v {
        case .string(let s) where allowSingle: return [s]
        case .array(let a): items = a
        default:
            throw APIError.invalidField(
                name(key), "'\(name(key))' must be \(allowSingle ? "a string or " : "")an array of strings, got \(v.typeDescription)")
        }
        guard !items.isEmpty else { throw APIError.invalidField(name(key), "'\(name(key))' must not be empty") }
        guard items.count <= limit else { throw APIError.tooMany(name(key), count: items.count, limit: limit) }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw APIError.invalidField("\(name(key))[\(i)]", "'\(name(key))[\(i)]' must be a string, got \(item.typeDescription)")
            }
            out.append(s)
        }
        return out
    }

    /// A nested object, read with the same rules.
    public func object(_ key: String) throws(APIError) -> FieldReader? {
        guard let v = value(key) else { return nil }
        guard case .object(let m) = v else {
            throw APIError.invalidField(name(key), "'\(name(key))' must be an object, got \(v.typeDescription)")
        }
        return FieldReader(members: m, path: name(key))
    }
}
