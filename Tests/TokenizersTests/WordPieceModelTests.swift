import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// WordPiece starts each piece's search at the longest candidate the vocabulary could hold: the
/// same ids as the reference's search from the word's end, with bounded work.
@Suite struct WordPieceModelTests {
    let model: WordPieceModel
    let reference: ReferenceWordPiece

    init() throws {
        model = try SharedFixtures.bert.get().lower.model
        reference = ReferenceWordPiece(
            vocabulary: model.vocabulary, unknownTokenID: model.unknownTokenID,
            maxCharactersPerWord: model.maxCharactersPerWord)
    }

    /// Words glued from vocabulary entries (so long matches exist) and random scalars.
    @Test func idsEqualTheUnboundedSearchOnRandomWords() {
        let entries = model.vocabulary.keys.compactMap { String(validating: $0, as: UTF8.self) }.sorted()
        var random = SplitMix64(seed: 0x3D)
        var unknown = 0
        for index in 0..<1_500 {
            var word: [Unicode.Scalar] = []
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                if Bool.random(using: &random) {
                    var entry = entries.randomElement(using: &random)!
                    if entry.hasPrefix("##") { entry.removeFirst(2) }
                    word += entry.unicodeScalars
                } else {
                    word.append(Unicode.Scalar(UInt32.random(in: 0x61...0x7A, using: &random)) ?? "a")
                }
            }
            word = Array(word.prefix(Int.random(in: 1...110, using: &random)))
            let ids = model.encode(word: word)
            if ids == [model.unknownTokenID] { unknown += 1 }
            #expect(ids == reference.encode(word: word), "word \(index): \(String(String.UnicodeScalarView(word)))")
        }
        #expect(unknown < 1_000, "most words should have pieces")
    }

    /// The worst word: every position matches one character only. Look-ups are bounded by
    /// characters × longest entry (in bytes) and their hashing by that × longest entry, whatever
    /// the word's own length in bytes.
    @Test(arguments: ["猫", "a", "😀"])
    func workOnTheLongestWordIsBoundedByTheLongestEntry(character: String) {
        let word = Array(String(repeating: character, count: model.maxCharactersPerWord).unicodeScalars)
        var work = WordPieceModel.Work()
        let ids = model.encode(word: word, work: &work)
        #expect(ids == reference.encode(word: word))
        let characters = word.count
        print("\(character) × \(characters): \(ids.count) ids, \(work.lookups) look-ups, \(work.candidateBytes) candidate bytes, longest entry \(model.longestEntryBytes) bytes")
        #expect(work.lookups <= characters * model.longestEntryBytes)
        #expect(work.candidateBytes <= work.lookups * model.longestEntryBytes)
    }

    @Test func longerWordsAreUnknownWithoutAnyLookUp() {
        var work = WordPieceModel.Work()
        let word = [Unicode.Scalar](repeating: "a", count: model.maxCharactersPerWord + 1)
        #expect(model.encode(word: word, work: &work) == [model.unknownTokenID])
        #expect(work.lookups == 0)
    }
}
