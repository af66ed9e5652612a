import Foundation

extension UnigramNormalizer {
    /// Reads tokenizer.json's `normalizer` (null: no normalisation). Types this tokenizer does
    /// not reproduce are refused by name rather than skipped.
    static func read(_ json: TokenizerJSONObject?) throws(TokenizerError) -> UnigramNormalizer {
        guard let json else { return .identity }
        return UnigramNormalizer(steps: try steps(json))
    }

    private static func steps(_ json: TokenizerJSONObject) throws(TokenizerError) -> [Step] {
        let type = try json.type()
        switch type {
        case "Sequence":
            var steps: [Step] = []
            for element in try json.objects("normalizers") { steps += try Self.steps(element) }
            return steps
        case "Precompiled":
            return [.precompiled(try precompiled(json))]
        case "Replace":
            return [try replace(json)]
        case "Strip":
            return [.strip(left: try json.bool("strip_left"), right: try json.bool("strip_right"))]
        case "NFC": return [.nfc]
        case "NFD": return [.nfd]
        case "NFKC": return [.nfkc]
        case "NFKD": return [.nfkd]
        case "Lowercase": return [.lowercase]
        case "Prepend": return [.prepend(Array(try json.string("prepend").unicodeScalars))]
        default:
            throw .unsupported(file: json.file, reason: "normalizer type \"\(type)\" is not supported by UnigramTokenizer")
        }
    }

    private static func precompiled(_ json: TokenizerJSONObject) throws(TokenizerError) -> PrecompiledNormalizer {
        let encoded = try json.string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw json.malformed("precompiled_charsmap", "not valid base64")
        }
        do {
            return PrecompiledNormalizer(charsMap: try PrecompiledCharsMap(Array(data)))
        } catch {
            throw json.malformed("precompiled_charsmap", error.description)
        }
    }

    private static func replace(_ json: TokenizerJSONObject) throws(TokenizerError) -> Step {
        let content = Array(try json.string("content").unicodeScalars)
        let pattern = try json.object("pattern")
        if let literal = try pattern.optionalString("String") {
            guard let parsed = ReplacePattern.string(literal) else { throw json.malformed("pattern", "empty String pattern") }
            return .replace(parsed, content: content)
        }
        if let regex = try pattern.optionalString("Regex") {
            guard let parsed = ReplacePattern.regex(regex) else {
                throw .unsupported(
                    file: json.file,
                    reason: "\(json.fieldPath("pattern")): Replace regex \"\(regex)\" is not supported by UnigramTokenizer "
                        + "(only literals and one character repeated, such as \" {2,}\")")
            }
            return .replace(parsed, content: content)
        }
        throw json.malformed("pattern", "expected {\"String\": ...} or {\"Regex\": ...}")
    }
}
