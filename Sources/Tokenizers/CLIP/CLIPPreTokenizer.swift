/// CLIPTokenizerFast's pre-tokeniser (transformers `CLIPConverter`): `Split` on
/// `'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+` keeping the matches and dropping
/// everything between them (only whitespace can fall between), followed by `ByteLevel`. The
/// ByteLevel step's own GPT-2 split finds nothing more to split in these pieces (none holds
/// whitespace, and each is a letter run, one digit, a contraction or a symbol run), so it is
/// the byte mapping only, done by `BytePairEncoder`.
///
/// A hand-written scanner instead of a regex: the alternation is leftmost-first, so at each
/// position the contractions win, then a letter run, then one digit, then a run of the rest.
///
/// Pieces are found one at a time as the caller asks (`Pieces`), so text after the model's token
/// limit is never scanned past its first non-space scalar. Each scalar is visited once: linear.
struct CLIPPreTokenizer: Sendable {
    // scalars -> pieces (non-empty, in order), lazily
    func split(_ text: ArraySlice<Unicode.Scalar>) -> Pieces {
        Pieces(text: text)
    }

    struct Pieces: Sequence, IteratorProtocol {
        private let text: ArraySlice<Unicode.Scalar>
        /// Everything before it has been scanned; nothing after it has.
        private(set) var position: Int

        fileprivate init(text: ArraySlice<Unicode.Scalar>) {
            self.text = text
            self.position = text.startIndex
        }

        /// Whether a piece follows, found by skipping whitespace only (the normaliser leaves at
        /// most one space between pieces), without finding where that piece ends.
        mutating func hasAnotherPiece() -> Bool {
            while position < text.endIndex && text[position].isRegexWhitespace { position += 1 }
            return position < text.endIndex
        }

        mutating func next() -> ArraySlice<Unicode.Scalar>? {
            guard hasAnotherPiece() else { return nil }
            let scalar = text[position]
            let length: Int
            if let contraction = Self.contractionLength(text, at: position) {
                length = contraction
            } else if scalar.isLetter {
                length = Self.runLength(text, from: position) { $0.isLetter }
            } else if scalar.isNumber {
                length = 1
            } else {
                length = Self.runLength(text, from: position) { !$0.isRegexWhitespace && !$0.isLetter && !$0.isNumber }
            }
            defer { position += length }
            return text[position..<(position + length)]
        }

        /// `'s|'t|'re|'ve|'m|'ll|'d` at `position`, case-sensitive (the text is already lower-cased).
        private static func contractionLength(_ text: ArraySlice<Unicode.Scalar>, at position: Int) -> Int? {
            guard text[position] == "'", position + 1 < text.endIndex else { return nil }
            let first = text[position + 1]
            if first == "s" || first == "t" || first == "m" || first == "d" { return 2 }
            guard position + 2 < text.endIndex else { return nil }
            let second = text[position + 2]
            if (first == "r" && second == "e") || (first == "v" && second == "e") || (first == "l" && second == "l") {
                return 3
            }
            return nil
        }

        private static func runLength(
            _ text: ArraySlice<Unicode.Scalar>, from start: Int, while belongs: (Unicode.Scalar) -> Bool
        ) -> Int {
            var end = start
            while end < text.endIndex && belongs(text[end]) { end += 1 }
            return end - start
        }
    }
}
