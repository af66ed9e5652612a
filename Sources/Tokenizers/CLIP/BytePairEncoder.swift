/// The BPE model of CLIPTokenizerFast (tokenizers `models/bpe/model.rs` with
/// `end_of_word_suffix="</w>"`, no continuing-subword prefix, no dropout): a word's UTF-8 bytes
/// become byte symbols, the last one spelled with `</w>`, then the adjacent pair of lowest
/// merge rank is merged until no pair has a rank.
///
/// Everything is integer ids after loading: symbols are vocabulary ids and a merge is keyed by
/// the two ids it joins, so no string is built or hashed per merge.
struct BytePairEncoder: Sendable {
    struct Merge: Sendable, Equatable {
        let rank: Int32
        let result: Int32
    }

    /// Vocabulary id of the byte's symbol inside a word, and at the end of a word (`</w>`).
    private let byteIDs: [Int]
    private let endOfWordByteIDs: [Int]
    private let merges: [UInt64: Merge]
    private let cache: WordCache

    init(byteIDs: [Int], endOfWordByteIDs: [Int], merges: [UInt64: Merge], cacheCapacity: Int) {
        self.byteIDs = byteIDs
        self.endOfWordByteIDs = endOfWordByteIDs
        self.merges = merges
        self.cache = WordCache(capacity: cacheCapacity)
    }

    static func pairKey(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
    }

    var cachedWordCount: Int { cache.count }

    // word: UTF-8 bytes of one pre-token [n >= 1] -> ids [1...n]
    func encode(word: [UInt8]) -> [Int] {
        if let cached = cache.value(for: word) { return cached }
        var symbols = word.indices.map { index in
            index == word.count - 1 ? endOfWordByteIDs[Int(word[index])] : byteIDs[Int(word[index])]
        }
        // Always the leftmost pair of lowest rank: the order tokenizers' priority queue
        // (rank, then position) merges in.
        while symbols.count > 1 {
            var best: (index: Int, merge: Merge)?
            for index in 0..<(symbols.count - 1) {
                guard let merge = merges[Self.pairKey(symbols[index], symbols[index + 1])] else { continue }
                if let current = best, current.merge.rank <= merge.rank { continue }
                best = (index, merge)
            }
            guard let (index, merge) = best else { break }
            symbols[index] = Int(merge.result)
            symbols.remove(at: index + 1)
        }
        cache.insert(symbols, for: word)
        return symbols
    }
}
