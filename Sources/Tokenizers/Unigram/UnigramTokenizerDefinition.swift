import Foundation
import JSON

/// Everything a Hugging Face `tokenizer.json` of a SentencePiece Unigram tokenizer (XLM-R,
/// mBART ...) says about turning text into ids, read and checked at load.
struct UnigramTokenizerDefinition: Sendable {
    /// A token matched in the text before the model runs (`added_tokens`).
    struct AddedToken: Sendable, Equatable {
        let content: String
        let id: Int
        /// Matched in the normalised text; otherwise in the raw text.
        let normalized: Bool
        /// Whitespace before (lstrip) or after (rstrip) a match belongs to the token.
        let lstrip: Bool
        let rstrip: Bool
    }

    let normalizer: UnigramNormalizer
    let preTokenizer: UnigramPreTokenizer
    let model: UnigramModel
    let boundaryTokens: BoundaryTokens
    let addedTokens: [AddedToken]

    static func load(_ url: URL) throws(TokenizerError) -> UnigramTokenizerDefinition {
        let data = try TokenizerFile.read(url)
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw .malformed(file: url.path, reason: error.description)
        }
        let root = try TokenizerJSONObject(document, path: "", file: url.path)
        let model = try UnigramModel.read(try root.object("model"))
        return UnigramTokenizerDefinition(
            normalizer: try UnigramNormalizer.read(try root.optionalObject("normalizer")),
            preTokenizer: try UnigramPreTokenizer.read(try root.optionalObject("pre_tokenizer")),
            model: model,
            boundaryTokens: try BoundaryTokens.read(try root.optionalObject("post_processor"), file: url.path),
            addedTokens: try addedTokens(root))
    }

    private static func addedTokens(_ root: TokenizerJSONObject) throws(TokenizerError) -> [AddedToken] {
        var tokens: [AddedToken] = []
        for json in try root.optionalArray("added_tokens") == nil ? [] : try root.objects("added_tokens") {
            guard let id = try json.optionalInteger("id"), id >= 0 else { throw json.malformed("id", "expected a token id") }
            let content = try json.string("content")
            guard !content.isEmpty else { throw json.malformed("content", "empty") }
            if try json.bool("single_word", default: false) {
                throw .unsupported(file: json.file, reason: "\(json.path): added token \"\(content)\" has single_word=true")
            }
            tokens.append(
                AddedToken(
                    content: content, id: id, normalized: try json.bool("normalized", default: true),
                    lstrip: try json.bool("lstrip", default: false), rstrip: try json.bool("rstrip", default: false)))
        }
        return tokens
    }
}
