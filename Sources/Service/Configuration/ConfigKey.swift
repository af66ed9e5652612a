import JSON

/// A documented configuration knob: its dotted path (`limits.max_body_bytes`), default,
/// accepted range and one-line meaning. The registry of these is the single source from
/// which defaults, validation, environment names and config/README.md are checked.
public struct ConfigKey: Sendable {
    public let path: String
    public let defaultValue: ConfigValue
    public let summary: String
    /// Returns why a value is invalid, or nil when it is acceptable.
    let check: @Sendable (ConfigValue) -> String?

    init(_ path: String, _ defaultValue: ConfigValue, _ summary: String,
         check: @escaping @Sendable (ConfigValue) -> String? = { _ in nil }) {
        self.path = path
        self.defaultValue = defaultValue
        self.summary = summary
        self.check = check
    }

    /// `limits.max_body_bytes` → `ADAPTCLIP_LIMITS_MAX_BODY_BYTES`.
    public var environmentName: String {
        "ADAPTCLIP_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Parses a textual value (environment variable or flag) into this key's kind.
    func parse(_ text: String) -> ConfigValue? {
        switch defaultValue.kind {
        case .string: return .string(text)
        case .int: return Int(text.trimmingCharacters(in: .whitespaces)).map(ConfigValue.int)
        case .double: return Double(text.trimmingCharacters(in: .whitespaces)).map(ConfigValue.double)
        case .bool:
            switch text.lowercased() {
            case "1", "true", "yes", "on": return .bool(true)
            case "0", "false", "no", "off": return .bool(false)
            default: return nil
            }
        case .list:
            guard case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return nil }
            return .list(items)
        }
    }

    /// Accepts an integer where a double is expected (JSON `5` for `5.0`), nothing else.
    func coerce(_ value: ConfigValue) -> ConfigValue? {
        if value.kind == defaultValue.kind { return value }
        if case .int(let i) = value, defaultValue.kind == .double { return .double(Double(i)) }
        return nil
    }
}

import Foundation

extension ConfigKey {
    static func intRange(_ range: ClosedRange<Int>) -> @Sendable (ConfigValue) -> String? {
        { value in
            guard case .int(let i) = value, range.contains(i) else {
                return "must be an integer in \(range.lowerBound)...\(range.upperBound)"
            }
            return nil
        }
    }

    static func positiveSeconds(max: Double) -> @Sendable (ConfigValue) -> String? {
        { value in
            guard case .double(let d) = value, d > 0, d <= max else {
                return "must be a number of seconds in (0, \(max)]"
            }
            return nil
        }
    }

    static func oneOf(_ choices: [String]) -> @Sendable (ConfigValue) -> String? {
        { value in
            guard case .string(let s) = value, choices.contains(s) else {
                return "must be one of \(choices.joined(separator: ", "))"
            }
            return nil
        }
    }

    static let nonEmpty: @Sendable (ConfigValue) -> String? = { value in
        guard case .string(let s) = value, !s.isEmpty else { return "must not be empty" }
        return nil
    }
}
