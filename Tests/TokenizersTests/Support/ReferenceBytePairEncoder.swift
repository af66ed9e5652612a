@testable import Tokenizers

/// The straightforward BPE the encoder must agree with: rescan every adjacent pair, merge the
/// leftmost one of lowest rank, repeat. Quadratic per word, so it lives in the tests only, as the
/// specification the O(n log n) queue-based `BytePairEncoder.merge` is checked against.
struct ReferenceBytePairEncoder {
    let byteIDs: [Int]
    let endOfWordByteIDs: [Int]
    let merges: [UInt64: BytePairEncoder.Merge]

    init(_ encoder: BytePairEncoder) {
        self.init(byteIDs: encoder.byteIDs, endOfWordByteIDs: encoder.endOfWordByteIDs, merges: encoder.merges)
    }

    init(byteIDs: [Int], endOfWordByteIDs: [Int], merges: [UInt64: BytePairEncoder.Merge]) {
        self.byteIDs = byteIDs
        self.endOfWordByteIDs = endOfWordByteIDs
        self.merges = merges
    }

    func encode(word: [UInt8]) -> [Int] {
        var symbols = word.indices.map { index in
            index == word.count - 1 ? endOfWordByteIDs[Int(word[index])] : byteIDs[Int(word[index])]
        }
        while symbols.count > 1 {
            var best: (index: Int, merge: BytePairEncoder.Merge)?
            for index in 0..<(symbols.count - 1) {
                guard let merge = merges[BytePairEncoder.pairKey(symbols[index], symbols[index + 1])] else { continue }
                if let current = best, current.merge.rank <= merge.rank { continue }
                best = (index, merge)
            }
            guard let (index, merge) = best else { break }
            symbols[index] = Int(merge.result)
            symbols.remove(at: index + 1)
        }
        return symbols
    }
}
