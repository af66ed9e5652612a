/// The start and end tokens a `tokenizer.json` post-processor puts around one sequence.
struct BoundaryTokens: Sendable, Equatable {
    let startID: Int
    let endID: Int

    /// Reads `post_processor`: `TemplateProcessing` whose single-sequence template is one
    /// special token, `$A`, one special token (XLM-R: `<s> $A </s>`), or `RobertaProcessing` /
    /// `BertProcessing` (`cls` and `sep` as `[token, id]`). Anything else would add or place
    /// tokens differently, so it is refused.
    static func read(_ json: TokenizerJSONObject?, file: String) throws(TokenizerError) -> BoundaryTokens {
        guard let json else {
            throw .unsupported(file: file, reason: "post_processor is null; UnigramTokenizer needs start and end tokens")
        }
        let type = try json.type()
        switch type {
        case "TemplateProcessing":
            return try template(json)
        case "RobertaProcessing", "BertProcessing":
            return BoundaryTokens(startID: try tokenID(json, "cls"), endID: try tokenID(json, "sep"))
        default:
            throw .unsupported(file: json.file, reason: "post_processor type \"\(type)\" is not supported by UnigramTokenizer")
        }
    }

    private static func template(_ json: TokenizerJSONObject) throws(TokenizerError) -> BoundaryTokens {
        let single = try json.objects("single")
        let refusal = TokenizerError.unsupported(
            file: json.file,
            reason: "\(json.fieldPath("single")): only the template <special> $A <special> is supported by UnigramTokenizer")
        guard single.count == 3, try single[1].optionalObject("Sequence")?.string("id") == "A",
            let start = try single[0].optionalObject("SpecialToken")?.string("id"),
            let end = try single[2].optionalObject("SpecialToken")?.string("id")
        else { throw refusal }
        let specialTokens = try json.object("special_tokens")
        func id(_ name: String) throws(TokenizerError) -> Int {
            guard let token = try specialTokens.optionalObject(name) else {
                throw specialTokens.malformed(name, "the template's special token is not defined")
            }
            let ids = try token.array("ids")
            guard ids.count == 1, case .integer(let id) = ids[0] else {
                throw .unsupported(file: json.file, reason: "\(token.path).ids: a special token must be exactly one id")
            }
            return id
        }
        return BoundaryTokens(startID: try id(start), endID: try id(end))
    }

    private static func tokenID(_ json: TokenizerJSONObject, _ key: String) throws(TokenizerError) -> Int {
        let pair = try json.array(key)
        guard pair.count == 2, case .string = pair[0], case .integer(let id) = pair[1] else {
            throw json.malformed(key, "expected [token, id]")
        }
        return id
    }
}
