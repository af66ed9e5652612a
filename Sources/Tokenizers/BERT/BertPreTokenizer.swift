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
        for word in Self.whitespaceSplit(text[...]) {
            let word = Array(word)
            if neverSplit.contains(word) {
                words.append(word)
                continue
            }
            let stripped = stripsAccents ? Self.stripAccents(word) : word
            for piece in Self.splitOnPunctuation(stripped) {
                // Re-splitting on whitespace, as the reference does, only drops empty pieces:
                // none of the steps above can introduce whitespace.
                words.append(contentsOf: Self.whitespaceSplit(piece[...]).map(Array.init))
            }
        }
        return words
    }

    static func whitespaceSplit(_ text: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        text.split(whereSeparator: \.isPythonWhitespace)
    }

    static func stripAccents(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let decomposed = String(String.UnicodeScalarView(word)).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    static func splitOnPunctuation(_ word: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var pieces: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in word {
            if scalar.isBertPunctuation {
                if !current.isEmpty { pieces.append(current) }
                current = []
                pieces.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
