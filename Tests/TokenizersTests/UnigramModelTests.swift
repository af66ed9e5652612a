import Testing

@testable import Tokenizers

/// The Viterbi segmentation on hand-made vocabularies. Expected ids are those of tokenizers
/// 0.22.2's `models.Unigram(vocab, unk_id, byte_fallback)` on the same text.
@Suite struct UnigramModelTests {
    static func model(_ pieces: [(String, Double)], unknownID: Int = 0, byteFallback: Bool = false) -> UnigramModel {
        UnigramModel(pieces: pieces.map { .init(text: $0.0, score: $0.1) }, unknownID: unknownID, byteFallback: byteFallback)
    }

    static func encode(_ model: UnigramModel, _ text: String) -> [Int] { model.encode(Array(text.utf8)) }

    @Test func bestScoringSegmentationWinsAndUnknownRunsFuse() {
        let model = Self.model([
            ("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2), ("abc", 5), ("abcd", 10),
        ])
        // abcd | a | cd | xx (one fused unknown)
        #expect(Self.encode(model, "abcdacdxx") == [8, 1, 5, 0])
        #expect(Self.encode(model, "") == [])
    }

    @Test func unknownCharactersAreWholeCharactersAndRunsBetweenPiecesFuseSeparately() {
        let model = Self.model([("<unk>", 0), ("a", -1), ("b", -1)])
        #expect(Self.encode(model, "a\u{732B}\u{72D7}b\u{732B}") == [1, 0, 2, 0])
    }

    @Test func tiesKeepTheSegmentationFoundFirst() {
        let model = Self.model([("<unk>", 0), ("a", -1), ("b", -1), ("ab", -2)])
        #expect(Self.encode(model, "ab") == [3])
        #expect(Self.encode(model, "ba") == [2, 1])
    }

    /// An unknown run is looked up by its spelling, as tokenizers' `tokenize` does: here the
    /// unknown path outscores the piece `xy` (scores are positive) and still gets its id.
    @Test func fusedUnknownRunThatSpellsAPieceGetsThatPiecesID() {
        let model = Self.model([("<unk>", 30), ("xy", 30), ("a", 31)])
        #expect(Self.encode(model, "axy") == [2, 1])
    }

    @Test func aPieceListedTwiceUsesItsLastIDAndScore() {
        let model = Self.model([("<unk>", 0), ("a", -1), ("\u{732B}", -1), ("\u{732B}a", -1.5), ("\u{732B}", -3)])
        #expect(Self.encode(model, "\u{732B}a") == [3])
        #expect(Self.encode(model, "\u{732B}") == [4])
    }

    @Test func byteFallbackSpellsUnknownRunsAsBytesWhenAllExist() {
        let model = Self.model(
            [("<unk>", 0), ("a", -1), ("<0xE7>", -1), ("<0x8C>", -1), ("<0xAB>", -1)], byteFallback: true)
        // 猫 is E7 8C AB; 狗 (E7 8B 97) lacks two byte pieces and stays unknown.
        #expect(Self.encode(model, "a\u{732B}a\u{72D7}") == [1, 2, 3, 4, 1, 0])
        #expect(UnigramModel.bytePiece(0x0A) == "<0x0A>")
    }

    /// However long, a run of characters no piece covers is one fused unknown id.
    @Test func longUnknownRunIsOneID() {
        let model = Self.model([("<unk>", 0), ("a", -1)])
        #expect(Self.encode(model, String(repeating: "\u{732B}", count: 10_000)) == [0])
    }

    /// Pieces are compared as bytes, as in tokenizers: `か` + U+3099 is not the piece `が`
    /// although Swift's `String` calls them equal, and both spellings can be separate pieces.
    @Test func canonicallyEquivalentSpellingsAreDifferentPieces() {
        let precomposed = Self.model([("<unk>", 0), ("\u{304C}", -1)])
        #expect(Self.encode(precomposed, "\u{304B}\u{3099}") == [0])
        #expect(Self.encode(precomposed, "\u{304C}") == [1])
        let both = Self.model([("<unk>", 0), ("\u{304C}", -1), ("\u{304B}\u{3099}", -1)])
        #expect(Self.encode(both, "\u{304B}\u{3099}") == [2])
        #expect(Self.encode(both, "\u{304C}") == [1])
    }
}
