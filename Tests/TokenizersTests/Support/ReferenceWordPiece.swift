/// transformers' `WordpieceTokenizer.tokenize` as written: every candidate from the word's end
/// down, with no bound from the vocabulary. `WordPieceModel` must give the same ids.
struct ReferenceWordPiece {
    let vocabulary: [[UInt8]: Int]
    let unknownTokenID: Int
    let maxCharactersPerWord: Int

    func encode(word: [Unicode.Scalar]) -> [Int] {
        if word.count > maxCharactersPerWord { return [unknownTokenID] }
        var ids: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int?
            while start < end {
                var candidate: [UInt8] = start > 0 ? Array("##".utf8) : []
                for scalar in word[start..<end] { UTF8.encode(scalar) { candidate.append($0) } }
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
