/// transformers' `WordpieceTokenizer.tokenize` on one word: greedy longest-match-first over the
/// word's characters, pieces after the first spelled with `##`; a word with more than
/// `maxCharactersPerWord` characters, or any position no piece matches, becomes `[UNK]` whole.
///
/// Entries are keyed by their exact UTF-8 bytes, not by `String`: Swift compares strings up to
/// canonical equivalence, Python by code points, and accent stripping leaves decomposed text
/// (a Hangul syllable and its jamo are different entries to the reference).
struct WordPieceModel: Sendable {
    static let continuationPrefix: [UInt8] = Array("##".utf8)

    /// What encoding one word cost, so tests can bound it by counting instead of timing.
    struct Work: Sendable, Equatable {
        var lookups = 0
        /// Bytes of all candidates built and hashed.
        var candidateBytes = 0
    }

    let vocabulary: [[UInt8]: Int]
    let unknownTokenID: Int
    let maxCharactersPerWord: Int
    /// Bytes of the longest entry. A longer candidate cannot match, so each piece's search starts
    /// at the longest candidate that could (the reference starts at the word's end; the ids are
    /// the same). That bounds a word's look-ups by characters × longest entry instead of
    /// characters², and each look-up's hashing by the longest entry instead of the word.
    let longestEntryBytes: Int

    init(vocabulary: [[UInt8]: Int], unknownTokenID: Int, maxCharactersPerWord: Int) {
        self.vocabulary = vocabulary
        self.unknownTokenID = unknownTokenID
        self.maxCharactersPerWord = maxCharactersPerWord
        self.longestEntryBytes = vocabulary.keys.map(\.count).max() ?? 0
    }

    // word: [n characters] -> ids
    func encode(word: [Unicode.Scalar]) -> [Int] {
        var work = Work()
        return encode(word: word, work: &work)
    }

    /// `encode`, adding what it cost to `work`.
    func encode(word: [Unicode.Scalar], work: inout Work) -> [Int] {
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
            let prefix = start > 0 ? Self.continuationPrefix : []
            var end = word.count
            while end > start && prefix.count + offsets[end] - offsets[start] > longestEntryBytes { end -= 1 }
            var match: Int?
            while start < end {
                var candidate = prefix
                candidate.append(contentsOf: bytes[offsets[start]..<offsets[end]])
                work.lookups += 1
                work.candidateBytes += candidate.count
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
