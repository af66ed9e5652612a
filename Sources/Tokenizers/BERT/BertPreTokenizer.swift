import Foundation

/// The word-level half of transformers' `BasicTokenizer.tokenize`: whitespace split
/// (`whitespace_tokenize`, Python's `str.split()`), accent stripping (`_run_strip_accents`: NFD,
/// then drop category Mn), punctuation split (`_run_split_on_punc`: each punctuation character
/// becomes its own word), and a final whitespace split that drops empty words. Words in
/// `neverSplit` (the special tokens) pass through unchanged.
struct BertPreTokenizer: Sendable {
    let stripsAccents: Bool
    let neverSplit: Set<[Unicode.Scalar]>

    // normalised scalars -> words (non-empty, no whitespace)
    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        words.reserveCapacity(text.count / 2)
        for word in Self.whitespaceSplit(text[...]) {
            if !neverSplit.isEmpty, neverSplit.contains(Array(word)) {
                words.append(Array(word))
                continue
            }
            // The reference splits on whitespace once more afterwards; that only drops empty
            // words, because neither step below can produce whitespace, and none are produced.
            if stripsAccents {
                Self.appendSplitOnPunctuation(Self.stripAccents(Array(word))[...], to: &words)
            } else {
                Self.appendSplitOnPunctuation(word, to: &words)
            }
        }
        return words
    }

    static func whitespaceSplit(_ text: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        text.split(whereSeparator: \.isPythonWhitespace)
    }

    static func stripAccents(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Most words here are one CJK ideograph or ASCII: skip Foundation's NFD for them.
        if word.allSatisfy(\.isUnchangedByAccentStripping) { return word }
        let decomposed = String(String.UnicodeScalarView(word)).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    /// Each punctuation character becomes a word; the runs between them stay whole.
    static func appendSplitOnPunctuation(_ word: ArraySlice<Unicode.Scalar>, to words: inout [[Unicode.Scalar]]) {
        var runStart = word.startIndex
        for index in word.indices where word[index].isBertPunctuation {
            if runStart < index { words.append(Array(word[runStart..<index])) }
            words.append([word[index]])
            runStart = index + 1
        }
        if runStart < word.endIndex { words.append(Array(word[runStart..<word.endIndex])) }
    }
}

extension Unicode.Scalar {
    /// Scalars that NFD leaves alone and that are not marks: below U+00C0 (the first Latin-1
    /// character with a canonical decomposition) and the CJK Unified Ideographs blocks (the
    /// compatibility ideographs, which do decompose, are excluded).
    fileprivate var isUnchangedByAccentStripping: Bool {
        switch value {
        case 0..<0xC0, 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF: true
        default: false
        }
    }
}
