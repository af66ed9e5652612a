/// Splits text around added tokens (`<|endoftext|>`, `[CLS]` ...) so they map straight to their
/// ids instead of going through the model. Matching is leftmost-longest over Unicode scalars, as
/// in tokenizers' `AddedVocabulary` (Aho-Corasick, `MatchKind::LeftmostLongest`) and
/// transformers' `Trie.split` for slow tokenizers.
struct AddedTokenMatcher: Sendable {
    enum Segment: Equatable {
        case text(ArraySlice<Unicode.Scalar>)
        case token(Int)
    }

    private struct Entry: Sendable {
        let scalars: [Unicode.Scalar]
        let id: Int
    }

    /// Longest first, so the first entry matching at a position is the longest one there.
    private let entries: [Entry]

    init(tokens: [(content: [Unicode.Scalar], id: Int)]) {
        entries = tokens.filter { !$0.content.isEmpty }
            .map { Entry(scalars: $0.content, id: $0.id) }
            .sorted { $0.scalars.count > $1.scalars.count }
    }

    var isEmpty: Bool { entries.isEmpty }

    // text: [scalars] -> segments in order; text segments are never empty.
    func split(_ text: ArraySlice<Unicode.Scalar>) -> [Segment] {
        guard !entries.isEmpty else { return text.isEmpty ? [] : [.text(text)] }
        var segments: [Segment] = []
        var pending = text.startIndex
        var position = text.startIndex
        while position < text.endIndex {
            if let entry = entries.first(where: { matches($0.scalars, in: text, at: position) }) {
                if pending < position { segments.append(.text(text[pending..<position])) }
                segments.append(.token(entry.id))
                position += entry.scalars.count
                pending = position
            } else {
                position += 1
            }
        }
        if pending < text.endIndex { segments.append(.text(text[pending..<text.endIndex])) }
        return segments
    }

    private func matches(
        _ needle: [Unicode.Scalar], in text: ArraySlice<Unicode.Scalar>, at position: Int
    ) -> Bool {
        guard text.endIndex - position >= needle.count else { return false }
        for offset in needle.indices where text[position + offset] != needle[offset] {
            return false
        }
        return true
    }
}
