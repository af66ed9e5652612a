/// transformers' `WordpieceTokenizer.tokenize` on one word: greedy longest-match-first over the
/// word's characters, pieces after the first spelled with `##`; a word with more than
/// `maxCharactersPerWord` characters, or any position no piece matches, becomes `[UNK]` whole.
///
/// Entries are keyed by their exact UTF-8 bytes, not by `String`: Swift compares strings up to
/// canonical equivalence, Python by code points, and accent stripping leaves decomposed text
/// (a Hangul syllable and its jamo are different entries to the reference).
struct WordPieceModel: Sendable {
    static let continuationPrefix: [UInt8] = Array("##".utf8)

    let vocabulary: [[UInt8]: Int]
    let unknownTokenID: Int
    let maxCharactersPerWord: Int

    // word: [n characters] -> ids
    func encode(word: [Unicode.Scalar]) -> [Int] {
        if word.count > maxCharactersPerWord { return [unknownTokenID] }
        // offsets[i] is where character i starts in `bytes`.
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        for scalar in word {
            offsets.append(bytes.count)
            UTF8.encode(scalar) { bytes.append($0) }
        }
        offsets.append(bytes.count)

        var ids: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int?
            while start < end {
                var candidate = start > 0 ? Self.continuationPrefix : []
                candidate.append(contentsOf: bytes[offsets[start]..<offsets[end]])
                if let id = vocabulary[candidate] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else { return [unknownTokenID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
