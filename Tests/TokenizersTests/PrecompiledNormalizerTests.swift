import Foundation
import Testing

@testable import Tokenizers

/// The `Precompiled` normaliser on a map built from known rules (`CharsMapBuilder`). Every
/// expected string is what tokenizers 0.22.2's `normalizers.Precompiled(map).normalize_str`
/// gives on the same bytes.
@Suite struct PrecompiledNormalizerTests {
    static let rules: [(key: String, replacement: String)] = [
        ("\u{FF41}", "a"), ("\u{FB01}", "fi"), ("e", "E"), ("e\u{301}", "\u{C9}"), ("\u{1}", ""), ("\u{216B}", "XII"),
        ("\r\n", " "),
    ]

    let normalizer: PrecompiledNormalizer

    init() throws {
        normalizer = PrecompiledNormalizer(charsMap: try PrecompiledCharsMap(CharsMapBuilder.build(Self.rules)))
    }

    @Test(arguments: [
        ("\u{FF41}", "a"), ("\u{FB01}", "fi"), ("\u{216B}", "XII"), ("abc", "abc"), ("\u{FF41}\u{FF42}", "a\u{FF42}"),
        ("\u{1}x", "x"), ("x\u{1}\u{1}y", "xy"), ("\u{1F600}", "\u{1F600}"),
    ])
    func singleScalarsAreReplacedOrKept(input: String, expected: String) {
        #expect(Array(normalizer.normalize(input).unicodeScalars) == Array(expected.unicodeScalars))
    }

    /// A cluster under 6 bytes is replaced whole by its SHORTEST matching key's replacement, so
    /// `e` + U+0301 gives `E` although the map has a rule for the pair, and the marks after a
    /// full-width letter vanish.
    @Test(arguments: [
        ("e\u{301}", "E"), ("e\u{301}\u{301}", "E"), ("ee\u{301}e", "EEE"), ("\u{FF41}\u{301}", "a"), ("\u{FB01}\u{301}", "fi"),
        ("\u{216B}\u{301}", "XII"), ("\r\n", " "),
    ])
    func shortClusterIsReplacedWholeByItsShortestPrefixRule(input: String, expected: String) {
        #expect(Array(normalizer.normalize(input).unicodeScalars) == Array(expected.unicodeScalars))
    }

    /// From 6 bytes on, each scalar is looked up alone and the marks survive.
    @Test(arguments: [
        ("\u{FF41}\u{301}\u{302}", "a\u{301}\u{302}"), ("e\u{301}\u{301}\u{301}", "E\u{301}\u{301}\u{301}"),
        ("\u{915}\u{94D}\u{937}", "\u{915}\u{94D}\u{937}"),
    ])
    func longClusterIsLookedUpScalarByScalar(input: String, expected: String) {
        #expect(Array(normalizer.normalize(input).unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test func nulByteEndsTheSearchAndIsKept() {
        #expect(Array(normalizer.normalize("x\u{0}e").unicodeScalars) == ["x", "\u{0}", "E"])
    }

    @Test func unreadableMapsAreRefused() {
        #expect(throws: PrecompiledCharsMapError.tooShort) { try PrecompiledCharsMap([1, 0]) }
        #expect(throws: PrecompiledCharsMapError.trieExceedsData(trieBytes: 4096)) {
            try PrecompiledCharsMap([0, 16, 0, 0, 1, 2, 3, 4])
        }
        var map = CharsMapBuilder.build(Self.rules)
        map.append(0xFF)
        #expect(throws: PrecompiledCharsMapError.replacementsNotUTF8) { try PrecompiledCharsMap(map) }
    }

    /// A unit pointing past the array never matches (the Rust crate would panic there).
    @Test func positionsOutsideTheArrayDoNotMatch() throws {
        // One unit: the root, whose offset sends every byte past the end.
        let map = try PrecompiledCharsMap([4, 0, 0, 0, 0, 4, 0, 0])
        #expect(map.shortestPrefixReplacement(Array("abc".utf8)) == nil)
    }
}
