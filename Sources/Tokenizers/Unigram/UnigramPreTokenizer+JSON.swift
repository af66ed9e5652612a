extension UnigramPreTokenizer {
    /// Reads tokenizer.json's `pre_tokenizer` (null: each text segment is one piece).
    static func read(_ json: TokenizerJSONObject?) throws(TokenizerError) -> UnigramPreTokenizer {
        guard let json else { return UnigramPreTokenizer(steps: []) }
        return UnigramPreTokenizer(steps: try steps(json))
    }

    private static func steps(_ json: TokenizerJSONObject) throws(TokenizerError) -> [Step] {
        let type = try json.type()
        switch type {
        case "Sequence":
            var steps: [Step] = []
            for element in try json.objects("pretokenizers") { steps += try Self.steps(element) }
            return steps
        case "Metaspace":
            return [.metaspace(try metaspace(json))]
        case "WhitespaceSplit":
            return [.whitespaceSplit(WhitespaceSplitPreTokenizer())]
        default:
            throw .unsupported(file: json.file, reason: "pre_tokenizer type \"\(type)\" is not supported by UnigramTokenizer")
        }
    }

    /// Current files write `prepend_scheme`; older ones only `add_prefix_space`. tokenizers
    /// refuses `add_prefix_space: false` next to any scheme but "never" (an absent scheme means
    /// "always"), and so does this reader.
    private static func metaspace(_ json: TokenizerJSONObject) throws(TokenizerError) -> MetaspacePreTokenizer {
        let replacement = try json.string("replacement").unicodeScalars
        guard replacement.count == 1, let scalar = replacement.first else {
            throw json.malformed("replacement", "expected one character, found \(replacement.count)")
        }
        var scheme = MetaspacePreTokenizer.PrependScheme.always
        if let name = try json.optionalString("prepend_scheme") {
            guard let parsed = MetaspacePreTokenizer.PrependScheme(rawValue: name) else {
                throw json.malformed("prepend_scheme", "expected \"always\", \"first\" or \"never\", found \"\(name)\"")
            }
            scheme = parsed
        }
        if try json.optionalBool("add_prefix_space") == false {
            guard scheme == .never else {
                throw json.malformed("add_prefix_space", "false does not match prepend_scheme \"\(scheme.rawValue)\"")
            }
        }
        return MetaspacePreTokenizer(replacement: scalar, prependScheme: scheme, splits: try json.bool("split", default: true))
    }
}
