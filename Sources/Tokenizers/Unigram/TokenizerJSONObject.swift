import JSON

/// One object of a `tokenizer.json`, read field by field. Every refusal names the file and the
/// field's path (`normalizer.normalizers[1].pattern`), so a user can find what to fix.
struct TokenizerJSONObject {
    let fields: [String: JSONValue]
    /// Where this object sits in the document ("" for the root).
    let path: String
    let file: String

    init(_ value: JSONValue, path: String, file: String) throws(TokenizerError) {
        guard case .object(let fields) = value else {
            throw .malformed(file: file, reason: "\(Self.display(path)): expected an object, found \(value.typeDescription)")
        }
        self.fields = fields
        self.path = path
        self.file = file
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func malformed(_ key: String, _ reason: String) -> TokenizerError {
        .malformed(file: file, reason: "\(fieldPath(key)): \(reason)")
    }

    /// The component's `type` ("Precompiled", "Metaspace" ...).
    func type() throws(TokenizerError) -> String { try string("type") }

    func string(_ key: String) throws(TokenizerError) -> String {
        guard let value = try optionalString(key) else { throw malformed(key, "missing") }
        return value
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw malformed(key, "expected a string, found \(other.typeDescription)")
        }
    }

    func bool(_ key: String) throws(TokenizerError) -> Bool {
        guard let value = try optionalBool(key) else { throw malformed(key, "missing") }
        return value
    }

    func bool(_ key: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        try optionalBool(key) ?? fallback
    }

    func optionalBool(_ key: String) throws(TokenizerError) -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw malformed(key, "expected a boolean, found \(other.typeDescription)")
        }
    }

    func optionalInteger(_ key: String) throws(TokenizerError) -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        case let other?: throw malformed(key, "expected an integer, found \(other.typeDescription)")
        }
    }

    func array(_ key: String) throws(TokenizerError) -> [JSONValue] {
        guard let value = try optionalArray(key) else { throw malformed(key, "missing") }
        return value
    }

    func optionalArray(_ key: String) throws(TokenizerError) -> [JSONValue]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let value)?: return value
        case let other?: throw malformed(key, "expected an array, found \(other.typeDescription)")
        }
    }

    func object(_ key: String) throws(TokenizerError) -> TokenizerJSONObject {
        guard let value = try optionalObject(key) else { throw malformed(key, "missing") }
        return value
    }

    /// nil when the key is absent or null (tokenizer.json writes `"normalizer": null`).
    func optionalObject(_ key: String) throws(TokenizerError) -> TokenizerJSONObject? {
        switch fields[key] {
        case nil, .null?: return nil
        case let value?: return try TokenizerJSONObject(value, path: fieldPath(key), file: file)
        }
    }

    /// The elements of an array field that must all be objects (`normalizers`, `added_tokens`).
    func objects(_ key: String) throws(TokenizerError) -> [TokenizerJSONObject] {
        var objects: [TokenizerJSONObject] = []
        for (index, element) in try array(key).enumerated() {
            objects.append(try TokenizerJSONObject(element, path: "\(fieldPath(key))[\(index)]", file: file))
        }
        return objects
    }

    private static func display(_ path: String) -> String { path.isEmpty ? "top level" : path }
}
