import Foundation
import JSON

extension AdapterManifestCommon {
    /// Checks 1–5 of an adapter kind `kind`: the document and format_version (`root`), `kind`
    /// (one of `otherKinds` and an unknown one refused in their own words), exactly
    /// `topLevelKeys`, then `name` and `version`.
    /// Reference: training/adaptclip_training/checkpoint.py, `check_header`.
    static func header(
        json data: Data, kind: String, otherKinds: [String], topLevelKeys: [String]
    ) throws(AdapterCheckpointError) -> (fields: AdapterManifestReader, name: String, version: String) {
        let m = try root(json: data)
        let found = try m.nonEmptyString("kind")
        let rule = "must be \"\(kind)\" for this loader"
        if otherKinds.contains(found) {
            throw .manifest("kind", "\(JSONValue.pythonQuoted(found)) is not a \(kind) adapter (expected \"\(kind)\")", requirement: rule)
        }
        guard found == kind else {
            throw .manifest("kind", "unknown kind \(JSONValue.pythonQuoted(found)) (expected \"\(kind)\")", requirement: rule)
        }
        try m.requireExactly(topLevelKeys)
        return (m, try m.nonEmptyString("name"), try m.nonEmptyString("version"))
    }
}
