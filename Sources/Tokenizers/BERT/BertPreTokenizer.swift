import Foundation

/// The word-level half of transformers' `BasicTokenizer.tokenize`: whitespace split
/// (`whitespace_tokenize`, Python's `str.split()`), accent stripping (`_run_strip_accents`: NFD,
/// then drop category Mn), punctuation split (`_run_split_on_punc`: each punctuation character
/// becomes its own word), and a final whitespace split that drops empty words. Words in
/// `neverSplit` (the special tokens) pass through unchanged.
///
/// Words are produced one at a time as the caller asks (`Words`), so text after the model's token
/// limit is left alone, and every scalar is visited a bounded number of times: linear.
struct BertPreTokenizer: Sendable {
    let stripsAccents: Bool
    let neverSplit: Set<[Unicode.Scalar]>

    // normalised scalars -> words (non-empty, no whitespace), lazily
    func split(_ text: [Unicode.Scalar]) -> Words {
        Words(preTokenizer: self, tokens: WhitespaceSplit(text[...]))
    }

    /// Python's `str.split()`: maximal runs of non-whitespace, one at a time.
    struct WhitespaceSplit: Sequence, IteratorProtocol {
        private let text: ArraySlice<Unicode.Scalar>
        /// Everything before it has been scanned; nothing after it has.
        private(set) var position: Int

        init(_ text: ArraySlice<Unicode.Scalar>) {
            self.text = text
            self.position = text.startIndex
        }

        mutating func next() -> ArraySlice<Unicode.Scalar>? {
            while position < text.endIndex && text[position].isPythonWhitespace { position += 1 }
            guard position < text.endIndex else { return nil }
            let start = position
            while position < text.endIndex && !text[position].isPythonWhitespace { position += 1 }
            return text[start..<position]
        }
    }

    /// The words of a text: each whitespace token passes whole when in `neverSplit`; otherwise it
    /// loses its accents, then each punctuation character becomes a word and the runs between
    /// them stay whole. The reference splits on whitespace once more afterwards; that only drops
    /// empty words, because neither step can produce whitespace, and none are produced.
    struct Words: Sequence, IteratorProtocol {
        fileprivate let preTokenizer: BertPreTokenizer
        private(set) var tokens: WhitespaceSplit
        /// The current token after accent stripping, and where its next word starts.
        private var token: [Unicode.Scalar] = []
        private var position = 0

        fileprivate init(preTokenizer: BertPreTokenizer, tokens: WhitespaceSplit) {
            self.preTokenizer = preTokenizer
            self.tokens = tokens
        }

        mutating func next() -> [Unicode.Scalar]? {
            // A token of combining marks only is empty once stripped: then try the next one.
            while position >= token.count {
                guard let raw = tokens.next() else { return nil }
                let whole = Array(raw)
                if !preTokenizer.neverSplit.isEmpty, preTokenizer.neverSplit.contains(whole) {
                    token = []
                    position = 0
                    return whole
                }
                token = preTokenizer.stripsAccents ? BertPreTokenizer.stripAccents(whole) : whole
                position = 0
            }
            let start = position
            if token[position].isBertPunctuation {
                position += 1
            } else {
                while position < token.count && !token[position].isBertPunctuation { position += 1 }
            }
            return Array(token[start..<position])
        }
    }

    static func stripAccents(_ word: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Most words here are one CJK ideograph or ASCII: skip Foundation's NFD for them.
        if word.allSatisfy(\.isUnchangedByAccentStripping) { return word }
        let decomposed = String(String.UnicodeScalarView(word)).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
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
