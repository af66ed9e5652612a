/// The vocabulary's pieces as a byte trie, for the common-prefix searches of the Unigram lattice
/// (tokenizers' `unigram::Trie<u8>`): from a position, every piece that starts there, shortest
/// first.
struct TokenTrie: Sendable {
    /// (node << 8 | byte) -> child node. The root is node 0.
    private var children: [Int: Int32] = [:]
    /// Per node, the id of the piece ending there, or -1.
    private var pieceIDs: [Int32] = [-1]

    /// - Parameter pieces: id -> UTF-8 bytes. A piece listed twice keeps its LAST id, as
    ///   tokenizers' `token_to_ids` map does.
    init(pieces: [[UInt8]]) {
        for (id, piece) in pieces.enumerated() where !piece.isEmpty {
            var node = 0
            for byte in piece {
                let key = node << 8 | Int(byte)
                if let child = children[key] {
                    node = Int(child)
                } else {
                    let child = pieceIDs.count
                    pieceIDs.append(-1)
                    children[key] = Int32(child)
                    node = child
                }
            }
            pieceIDs[node] = Int32(id)
        }
    }

    /// Calls `body(length, id)` for each piece that is a prefix of `bytes[start...]`, by
    /// increasing length.
    func forEachPiece(in bytes: [UInt8], from start: Int, _ body: (_ length: Int, _ id: Int) -> Void) {
        var node = 0
        var position = start
        while position < bytes.count, let child = children[node << 8 | Int(bytes[position])] {
            node = Int(child)
            position += 1
            let id = pieceIDs[node]
            if id >= 0 { body(position - start, Int(id)) }
        }
    }
}
