/// CLIPTokenizerFast's pre-tokeniser (transformers `CLIPConverter`): `Split` on
/// `'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+` keeping the matches and dropping
/// everything between them (only whitespace can fall between), followed by `ByteLevel`. The
/// ByteLevel step's own GPT-2 split finds nothing more to split in these pieces (none holds
/// whitespace, and each is a letter run, one digit, a contraction or a symbol run), so it is
/// the byte mapping only, done by `BytePairEncoder`.
///
/// A hand-written scanner instead of a regex: the alternation is leftmost-first, so at each
/// position the contractions win, then a letter run, then one digit, then a run of the rest.
struct CLIPPreTokenizer: Sendable {
    // scalars -> pieces (non-empty, in order)
    func split(_ text: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        var position = text.startIndex
        let end = text.endIndex
        while position < end {
            let scalar = text[position]
            if scalar.isRegexWhitespace {
                position += 1
                continue
            }
            let length: Int
            if let contraction = contractionLength(text, at: position) {
                length = contraction
            } else if scalar.isLetter {
                length = runLength(text, from: position) { $0.isLetter }
            } else if scalar.isNumber {
                length = 1
            } else {
                length = runLength(text, from: position) { !$0.isRegexWhitespace && !$0.isLetter && !$0.isNumber }
            }
            pieces.append(text[position..<(position + length)])
            position += length
        }
        return pieces
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `position`, case-sensitive (the text is already lower-cased).
    private func contractionLength(_ text: ArraySlice<Unicode.Scalar>, at position: Int) -> Int? {
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

    private func runLength(
        _ text: ArraySlice<Unicode.Scalar>, from start: Int, while belongs: (Unicode.Scalar) -> Bool
    ) -> Int {
        var end = start
        while end < text.endIndex && belongs(text[end]) { end += 1 }
        return end - start
    }
}
