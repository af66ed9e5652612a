/// SentencePiece's Unigram model as tokenizers runs it (`Unigram::encode_optimized`, then
/// `tokenize`): the best-scoring segmentation of a piece into vocabulary entries (Viterbi over
/// UTF-8 byte positions), with every character no single entry covers scored as unknown and
/// consecutive unknowns fused into one unknown id.
struct UnigramModel: Sendable {
    /// tokenizers' `K_UNK_PENALTY`: an unknown character scores this much below the worst piece.
    static let unknownPenalty = 10.0

    struct Piece: Sendable, Equatable {
        let text: String
        let score: Double
    }

    let pieces: [Piece]
    let unknownID: Int
    /// Unknown runs become their `<0xXX>` byte pieces when all exist (`byte_fallback`).
    let byteFallback: Bool
    private let trie: TokenTrie
    /// By UTF-8 bytes, not `String`: Swift's `String` equality is canonical equivalence, which
    /// would find `が` for `か` + U+3099 where tokenizers (comparing bytes) finds nothing. Last id
    /// wins for a piece listed twice, as in tokenizers.
    private let pieceToID: [[UInt8]: Int]
    private let unknownScore: Double

    /// - Precondition: `unknownID` indexes `pieces` (the loader checks it).
    init(pieces: [Piece], unknownID: Int, byteFallback: Bool) {
        self.pieces = pieces
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        let spellings = pieces.map { Array($0.text.utf8) }
        trie = TokenTrie(pieces: spellings)
        var pieceToID: [[UInt8]: Int] = [:]
        pieceToID.reserveCapacity(pieces.count)
        for (id, spelling) in spellings.enumerated() { pieceToID[spelling] = id }
        self.pieceToID = pieceToID
        unknownScore = (pieces.map(\.score).min() ?? 0) - Self.unknownPenalty
    }

    func id(of piece: String) -> Int? { pieceToID[Array(piece.utf8)] }

    /// Best path ending at one byte position of the lattice.
    private struct PathEnd {
        var score = 0.0
        /// Where the last token of the path starts; nil while no path reaches here.
        var start: Int?
        var id = 0
    }

    // piece (UTF-8) -> ids
    func encode(_ bytes: [UInt8]) -> [Int] {
        guard !bytes.isEmpty else { return [] }
        var ends = [PathEnd](repeating: PathEnd(), count: bytes.count + 1)
        var start = 0
        while start < bytes.count {
            let scoreHere = ends[start].score
            let characterLength = Self.utf8Length(leadingByte: bytes[start])
            var coversCharacter = false
            trie.forEachPiece(in: bytes, from: start) { length, id in
                // Ties keep the earlier candidate: shorter pieces and earlier starts come first.
                let candidate = pieces[id].score + scoreHere
                if ends[start + length].start == nil || candidate > ends[start + length].score {
                    ends[start + length] = PathEnd(score: candidate, start: start, id: id)
                }
                if length == characterLength { coversCharacter = true }
            }
            let characterEnd = min(start + characterLength, bytes.count)
            if !coversCharacter {
                let candidate = unknownScore + scoreHere
                if ends[characterEnd].start == nil || candidate > ends[characterEnd].score {
                    ends[characterEnd] = PathEnd(score: candidate, start: start, id: unknownID)
                }
            }
            start = characterEnd
        }
        return ids(backtracking: ends, bytes)
    }

    /// Walks the best path back from the end; runs of unknown tokens are fused into one string
    /// that is then looked up like any token (tokenizers' `fuse_unk`, always on for Unigram).
    private func ids(backtracking ends: [PathEnd], _ bytes: [UInt8]) -> [Int] {
        var reversedIDs: [Int] = []
        var end = bytes.count
        var unknownRunEnd: Int?
        while end > 0, let start = ends[end].start {
            if ends[end].id == unknownID {
                if unknownRunEnd == nil { unknownRunEnd = end }
            } else {
                if let runEnd = unknownRunEnd {
                    reversedIDs.append(contentsOf: fusedUnknownIDs(bytes[end..<runEnd]).reversed())
                    unknownRunEnd = nil
                }
                reversedIDs.append(ends[end].id)
            }
            end = start
        }
        if let runEnd = unknownRunEnd {
            reversedIDs.append(contentsOf: fusedUnknownIDs(bytes[end..<runEnd]).reversed())
        }
        return reversedIDs.reversed()
    }

    private func fusedUnknownIDs(_ bytes: ArraySlice<UInt8>) -> [Int] {
        if let id = pieceToID[Array(bytes)] { return [id] }
        if byteFallback {
            let byteIDs = bytes.compactMap { pieceToID[Array(Self.bytePiece($0).utf8)] }
            if byteIDs.count == bytes.count { return byteIDs }
        }
        return [unknownID]
    }

    /// The byte-fallback piece of one byte, `<0xE4>`.
    static func bytePiece(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x\(hex.count == 1 ? "0" + hex : hex)>"
    }

    /// Bytes of the UTF-8 sequence a leading byte starts (Rust `char::len_utf8`).
    private static func utf8Length(leadingByte byte: UInt8) -> Int {
        switch byte {
        case 0..<0x80: 1
        case 0xC0..<0xE0: 2
        case 0xE0..<0xF0: 3
        default: 4
        }
    }
}
