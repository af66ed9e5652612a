import JSON

extension UnigramModel {
    /// Reads tokenizer.json's `model`: `{"type": "Unigram", "unk_id": 3, "vocab": [["<s>", 0.0], ...],
    /// "byte_fallback": false}`.
    static func read(_ json: TokenizerJSONObject) throws(TokenizerError) -> UnigramModel {
        let type = try json.type()
        guard type == "Unigram" else {
            throw .unsupported(file: json.file, reason: "model type \"\(type)\" is not supported by UnigramTokenizer")
        }
        var pieces: [Piece] = []
        let vocab = try json.array("vocab")
        pieces.reserveCapacity(vocab.count)
        for (index, entry) in vocab.enumerated() {
            guard case .array(let pair) = entry, pair.count == 2, case .string(let text) = pair[0] else {
                throw json.malformed("vocab[\(index)]", "expected [piece, score]")
            }
            let score: Double
            switch pair[1] {
            case .integer(let value): score = Double(value)
            case .number(let value) where value.isFinite: score = value
            default: throw json.malformed("vocab[\(index)]", "score of \"\(text)\" is \(pair[1].typeDescription), not a finite number")
            }
            pieces.append(Piece(text: text, score: score))
        }
        guard !pieces.isEmpty else { throw json.malformed("vocab", "empty") }
        // tokenizers can run without unk_id until it meets an unknown character, then fails;
        // a server must not fail on text, so the id is required.
        guard let unknownID = try json.optionalInteger("unk_id") else {
            throw .unsupported(file: json.file, reason: "\(json.fieldPath("unk_id")): a Unigram model without unk_id is not supported")
        }
        guard pieces.indices.contains(unknownID) else {
            throw json.malformed("unk_id", "\(unknownID) is not an index of the \(pieces.count)-piece vocab")
        }
        return UnigramModel(pieces: pieces, unknownID: unknownID, byteFallback: try json.bool("byte_fallback", default: false))
    }
}
