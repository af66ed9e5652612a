/// Adds the start and end tokens around a text's ids and truncates the content so the result
/// fits `maxLength` with the end token kept last. This is what both references do for one
/// sentence: tokenizers' `RobertaProcessing` (CLIPTokenizerFast, `<|startoftext|> x <|endoftext|>`)
/// and BertTokenizer's `build_inputs_with_special_tokens` (`[CLS] x [SEP]`), after transformers'
/// truncation of `x` to `max_length - 2`.
struct BoundaryTokenPostProcessor: Sendable, Equatable {
    let startTokenID: Int
    let endTokenID: Int
    let maxLength: Int

    /// Content ids that fit between the two boundary tokens.
    var contentCapacity: Int { maxLength - 2 }

    init(startTokenID: Int, endTokenID: Int, maxLength: Int, file: String) throws(TokenizerError) {
        guard maxLength >= 2 else {
            throw .malformed(file: file, reason: "max length \(maxLength) leaves no room for the start and end tokens")
        }
        self.startTokenID = startTokenID
        self.endTokenID = endTokenID
        self.maxLength = maxLength
    }

    // content: [n] -> [min(n, maxLength - 2) + 2]
    func process(_ content: [Int]) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(min(content.count, contentCapacity) + 2)
        ids.append(startTokenID)
        ids.append(contentsOf: content.prefix(contentCapacity))
        ids.append(endTokenID)
        return ids
    }
}
