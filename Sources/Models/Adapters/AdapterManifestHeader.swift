import Foundation
import JSON

extension AdapterManifest {
    /// Checks 1–5 of an adapter kind `kind`: the document and format_version (`root`), `kind`
    /// (another known kind and an unknown one refused in their own words), exactly
    /// `topLevelKeys`, then `name` and `version`.
    /// Reference: training/adaptclip_training/checkpoint.py, `check_header`.
    static func header(
        json data: Data, kind: AdapterKind, topLevelKeys: [String]
    ) throws(AdapterCheckpointError) -> (fields: AdapterManifestReader, name: String, version: String) {
        let m = try root(json: data)
        let found = try m.nonEmptyString("kind")
        let expected = kind.rawValue
        let rule = "must be \"\(expected)\" for this loader"
        if let other = AdapterKind(rawValue: found), other != kind {
            throw .manifest(
                "kind", "\(JSONValue.pythonQuoted(found)) is not a \(kind.noun) (expected \"\(expected)\")", requirement: rule)
        }
        guard found == expected else {
            throw .manifest("kind", "unknown kind \(JSONValue.pythonQuoted(found)) (expected \"\(expected)\")", requirement: rule)
        }
        try m.requireExactly(topLevelKeys)
        return (m, try m.nonEmptyString("name"), try m.nonEmptyString("version"))
    }
}
