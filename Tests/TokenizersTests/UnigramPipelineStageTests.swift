import Testing

@testable import Tokenizers

/// The normalisers other than `Precompiled`, and the pre-tokenisers, each alone. Expected values
/// are tokenizers 0.22.2's on the same input.
@Suite struct UnigramPipelineStageTests {
    static func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test func regexOfRepeatedCharacterReplacesEachRunOnce() throws {
        let pattern = try #require(ReplacePattern.regex(" {2,}"))
        let replaced = pattern.replaceAll(in: Self.scalars(" a  b   c d  "), with: ["\u{2581}"])
        #expect(replaced == Self.scalars(" a\u{2581}b\u{2581}c d\u{2581}"))
        #expect(try #require(ReplacePattern.regex("x+")).replaceAll(in: Self.scalars("axxbx"), with: ["-"]) == Self.scalars("a-b-"))
    }

    @Test func literalsReplaceNonOverlappingLeftmostMatches() throws {
        #expect(try #require(ReplacePattern.string("aa")).replaceAll(in: Self.scalars("aaa aaaa"), with: ["b"]) == Self.scalars("ba bb"))
        #expect(try #require(ReplacePattern.regex("``")).replaceAll(in: Self.scalars("``x``"), with: ["\""]) == Self.scalars("\"x\""))
        #expect(try #require(ReplacePattern.regex("\\.")).literal == ["."])
    }

    @Test(arguments: ["\\s+", "[ab]", "a|b", "a{2}", "a{1,3}", "ab+", "^a", "\\d", ".", ""])
    func otherRegexesAreRefused(source: String) {
        #expect(ReplacePattern.regex(source) == nil)
    }

    @Test func stripRemovesWhiteSpaceScalarsOnTheChosenSides() {
        let text = "\u{3000} a b\t\u{A0}\n"
        #expect(UnigramNormalizer(steps: [.strip(left: false, right: true)]).normalize(text) == "\u{3000} a b")
        #expect(UnigramNormalizer(steps: [.strip(left: true, right: false)]).normalize(text) == "a b\t\u{A0}\n")
        // U+200B ZERO WIDTH SPACE is not White_Space.
        #expect(UnigramNormalizer(steps: [.strip(left: true, right: true)]).normalize("\u{200B}x ") == "\u{200B}x")
    }

    @Test func unicodeFormsLowercaseAndPrependApplyInOrder() {
        let steps: [UnigramNormalizer.Step] = [.nfkc, .lowercase, .prepend(["\u{2581}"])]
        #expect(UnigramNormalizer(steps: steps).normalize("\u{FB01}Ⅻ İ") == "\u{2581}fixii i\u{307}")
        #expect(UnigramNormalizer(steps: steps).normalize("") == "")
        #expect(UnigramNormalizer(steps: [.nfd]).normalize("\u{E9}").unicodeScalars.count == 2)
        #expect(UnigramNormalizer(steps: [.nfc]).normalize("e\u{301}") == "\u{E9}")
    }

    static func metaspace(_ scheme: MetaspacePreTokenizer.PrependScheme, splits: Bool = true) -> MetaspacePreTokenizer {
        MetaspacePreTokenizer(replacement: "\u{2581}", prependScheme: scheme, splits: splits)
    }

    static func pieces(_ slices: [ArraySlice<Unicode.Scalar>]) -> [String] {
        slices.map { String(String.UnicodeScalarView($0)) }
    }

    @Test func metaspaceSplitsBeforeEachReplacement() {
        let split = Self.metaspace(.always).split(Self.scalars("a  b c "), startsInput: true)
        #expect(Self.pieces(split) == ["\u{2581}a", "\u{2581}", "\u{2581}b", "\u{2581}c", "\u{2581}"])
        #expect(Self.pieces(Self.metaspace(.always).split(Self.scalars(" x"), startsInput: false)) == ["\u{2581}x"])
        #expect(Self.pieces(Self.metaspace(.always, splits: false).split(Self.scalars("a b"), startsInput: true)) == ["\u{2581}a\u{2581}b"])
        #expect(Self.metaspace(.always).split([], startsInput: true).isEmpty)
    }

    @Test func prependSchemesDecideWhichSegmentsGetTheReplacement() {
        let text = Self.scalars("ab")
        #expect(Self.pieces(Self.metaspace(.always).split(text, startsInput: false)) == ["\u{2581}ab"])
        #expect(Self.pieces(Self.metaspace(.first).split(text, startsInput: true)) == ["\u{2581}ab"])
        #expect(Self.pieces(Self.metaspace(.first).split(text, startsInput: false)) == ["ab"])
        #expect(Self.pieces(Self.metaspace(.never).split(text, startsInput: true)) == ["ab"])
    }

    @Test func whitespaceSplitThenMetaspacePrefixesEveryWordAndFirstOnlyTheFirst() {
        let first = UnigramPreTokenizer(steps: [.whitespaceSplit(WhitespaceSplitPreTokenizer()), .metaspace(Self.metaspace(.first))])
        #expect(Self.pieces(first.split(Self.scalars("ab\tcd  e"), startsInput: true)) == ["\u{2581}ab", "cd", "e"])
        let always = UnigramPreTokenizer(steps: [.whitespaceSplit(WhitespaceSplitPreTokenizer()), .metaspace(Self.metaspace(.always))])
        #expect(Self.pieces(always.split(Self.scalars(" ab cd"), startsInput: true)) == ["\u{2581}ab", "\u{2581}cd"])
    }
}
