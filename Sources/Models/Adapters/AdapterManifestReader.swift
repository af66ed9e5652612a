import JSON
/// The typed field checks of `adapter.json`, each refusing with `adapter.json: <field>: <detail>`
/// in the wording of training/adaptclip_training/checkpoint.py (`string_field`, `count_field`,
/// `positive_int_field`, `section`, `exact_keys`), which docs/adapters.md documents.
struct AdapterManifestReader {
    let fields: [String: JSONValue]
    /// `""` at the top level, `"architecture."` inside a section.
    let prefix: String

    func path(_ key: String) -> String { prefix + key }

    /// A refusal of `key` whose detail quotes nothing from the file.
    func fail(_ key: String, _ detail: String) -> AdapterCheckpointError { .manifest(path(key), detail) }

    /// A refusal of `key` whose detail quotes the file; `requirement` says it without.
    func fail(_ key: String, _ detail: String, requirement: String) -> AdapterCheckpointError {
        .manifest(path(key), detail, requirement: requirement)
    }

    /// This section's path for refusals that cannot name a key read from the file.
    var sectionName: String { prefix.isEmpty ? "(top level)" : String(prefix.dropLast()) }

    /// Each required key present (in the table's order), then no other key than those and the
    /// `optional` ones (in sorted order, so the first unknown key reported does not depend on a
    /// parser's key order).
    func requireExactly(_ keys: [String], optional: [String] = []) throws(AdapterCheckpointError) {
        for key in keys where fields[key] == nil { throw fail(key, "missing") }
        for key in fields.keys.sorted(by: pythonOrder) where !keys.contains(key) && !optional.contains(key) {
            // The key is the file's text: the redacted form names the section and what it allows.
            throw .manifest(
                path(key), "unknown field",
                requirement: "holds a field that is not part of the format (allowed: \((keys + optional).joined(separator: ", ")))",
                redactedField: sectionName)
        }
    }

    /// The object under `key`, itself holding exactly `keys`.
    func section(_ key: String, keys: [String]) throws(AdapterCheckpointError) -> AdapterManifestReader {
        guard let object = fields[key]?.object else { throw fail(key, "must be a JSON object") }
        let reader = AdapterManifestReader(fields: object, prefix: path(key) + ".")
        try reader.requireExactly(keys)
        return reader
    }

    func value(_ key: String) throws(AdapterCheckpointError) -> JSONValue {
        guard let value = fields[key] else { throw fail(key, "missing") }
        return value
    }

    func nonEmptyString(_ key: String) throws(AdapterCheckpointError) -> String {
        let value = try value(key)
        guard case .string(let text) = value, !text.isEmpty else {
            throw fail(key, "must be a non-empty string, got \(value.pythonDescription)", requirement: "must be a non-empty string")
        }
        return text
    }

    func positiveInteger(_ key: String) throws(AdapterCheckpointError) -> Int {
        let value = try value(key)
        guard case .integer(let number) = value, number > 0 else {
            throw fail(key, "must be an integer > 0, got \(value.pythonDescription)", requirement: "must be an integer > 0")
        }
        return number
    }

    func count(_ key: String) throws(AdapterCheckpointError) -> Int {
        let value = try value(key)
        guard case .integer(let number) = value, number >= 0 else {
            throw fail(key, "must be an integer >= 0, got \(value.pythonDescription)", requirement: "must be an integer >= 0")
        }
        return number
    }

    /// A string from a closed set: `unknown value "max" (one of cls, mean)`.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, of type: Choice.Type) throws(AdapterCheckpointError)
        -> Choice where Choice.RawValue == String
    {
        let text = try nonEmptyString(key)
        guard let choice = Choice(rawValue: text) else {
            let choices = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(key, "unknown value \(JSONValue.pythonQuoted(text)) (one of \(choices))", requirement: "must be one of \(choices)")
        }
        return choice
    }
}

/// Python's `sorted()` order for strings: by code point, no normalisation.
func pythonOrder(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}
