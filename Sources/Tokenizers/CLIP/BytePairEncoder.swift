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

    /// What merging one word cost, so tests can bound it by counting instead of timing.
    struct Work: Sendable, Equatable {
        /// Merge-table look-ups: one per initial pair, one to validate each popped candidate and
        /// up to two for the pairs a merge creates.
        var pairLookups = 0
        /// Comparisons made by the candidate queue.
        var queueComparisons = 0
        var merges = 0
    }

    /// Vocabulary id of the byte's symbol inside a word, and at the end of a word (`</w>`).
    let byteIDs: [Int]
    let endOfWordByteIDs: [Int]
    let merges: [UInt64: Merge]
    /// `resultsByRank[rank]` is the id the merge of that rank makes (-1 for ranks no pair has),
    /// so a queue entry needs only its rank and position.
    private let resultsByRank: [Int32]
    private let cache: WordCache

    init(byteIDs: [Int], endOfWordByteIDs: [Int], merges: [UInt64: Merge], cacheLimits: WordCache.Limits) {
        self.byteIDs = byteIDs
        self.endOfWordByteIDs = endOfWordByteIDs
        self.merges = merges
        var resultsByRank = [Int32](repeating: -1, count: Int(merges.values.map(\.rank).max() ?? -1) + 1)
        for merge in merges.values { resultsByRank[Int(merge.rank)] = merge.result }
        self.resultsByRank = resultsByRank
        self.cache = WordCache(limits: cacheLimits)
    }

    static func pairKey(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
    }

    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    var cachedWordCount: Int { cache.count }
    var cachedBytes: Int { cache.chargedBytes }

    // word: UTF-8 bytes of one pre-token [n >= 1] -> ids [1...n]
    func encode(word: [UInt8]) -> [Int] {
        if let cached = cache.value(for: word) { return cached }
        var work = Work()
        let ids = merge(word, work: &work)
        cache.insert(ids, for: word)
        return ids
    }

    /// tokenizers' `Word::merge_all` without dropout: every adjacent pair with a merge goes into a
    /// queue ordered by (rank, position); the top is merged unless it went stale, and the pairs
    /// the merge creates with its neighbours are queued. Symbols form a doubly linked list over
    /// arrays indexed by the byte position where they start, so a merge is O(1) and a word of n
    /// bytes costs O(n log n): at most n - 1 merges, each queueing at most two candidates.
    ///
    /// Positions and ids are 32-bit (ids are checked at load); a word would need 2 GiB to overflow.
    // word: [n bytes] -> ids [n - merges]
    func merge(_ word: [UInt8], work: inout Work) -> [Int] {
        let count = word.count
        guard count > 0 else { return [] }
        var symbols = [Int32](repeating: 0, count: count)
        var previous = [Int32](repeating: -1, count: count)
        var next = [Int32](repeating: -1, count: count)
        for position in 0..<count {
            let byte = Int(word[position])
            let id = position == count - 1 ? endOfWordByteIDs[byte] : byteIDs[byte]
            symbols[position] = Int32(truncatingIfNeeded: id)
            previous[position] = Int32(truncatingIfNeeded: position - 1)
            if position + 1 < count { next[position] = Int32(truncatingIfNeeded: position + 1) }
        }

        var candidates: [UInt64] = []
        candidates.reserveCapacity(count - 1)
        for position in 0..<(count - 1) {
            work.pairLookups += 1
            if let merge = merges[Self.pairKey(symbols[position], symbols[position + 1])] {
                candidates.append(MergeQueue.entry(rank: merge.rank, position: Int32(truncatingIfNeeded: position)))
            }
        }
        var queue = MergeQueue(heapifying: candidates)
        candidates = []
        var merged = 0

        while let top = queue.popMin() {
            let position = Int(MergeQueue.position(of: top))
            // Stale when its symbol was merged into the one before it (id -1), when it is now the
            // last symbol, or when its pair changed since it was queued. tokenizers tests the last
            // by comparing the id the pair now makes with the queued one; so does this.
            let right = Int(next[position])
            guard symbols[position] >= 0, right >= 0 else { continue }
            work.pairLookups += 1
            guard let merge = merges[Self.pairKey(symbols[position], symbols[right])],
                merge.result == resultsByRank[Int(MergeQueue.rank(of: top))]
            else { continue }

            symbols[position] = merge.result
            symbols[right] = -1
            let after = next[right]
            next[position] = after
            if after >= 0 { previous[Int(after)] = Int32(truncatingIfNeeded: position) }
            merged += 1

            let before = previous[position]
            if before >= 0 {
                work.pairLookups += 1
                if let merge = merges[Self.pairKey(symbols[Int(before)], symbols[position])] {
                    queue.push(MergeQueue.entry(rank: merge.rank, position: before))
                }
            }
            if after >= 0 {
                work.pairLookups += 1
                if let merge = merges[Self.pairKey(symbols[position], symbols[Int(after)])] {
                    queue.push(MergeQueue.entry(rank: merge.rank, position: Int32(truncatingIfNeeded: position)))
                }
            }
        }
        work.queueComparisons += queue.comparisons
        work.merges += merged

        // A merge always removes the right symbol, so the word still starts at position 0.
        var ids: [Int] = []
        ids.reserveCapacity(count - merged)
        var position = 0
        while position >= 0 {
            ids.append(Int(symbols[position]))
            position = Int(next[position])
        }
        return ids
    }
}
