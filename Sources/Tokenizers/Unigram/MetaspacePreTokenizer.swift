/// tokenizers' `Metaspace` pre-tokeniser: spaces become the replacement (`▁`), the replacement is
/// put in front of the text as `prependScheme` says, and the text is split before each
/// replacement (`SplitDelimiterBehavior::MergedWithNext`: `▁a▁▁b` -> `▁a`, `▁`, `▁b`).
struct MetaspacePreTokenizer: Sendable, Equatable {
    enum PrependScheme: String, Sendable {
        /// Every text segment that does not already start with the replacement.
        case always
        /// Only the segment at the start of the input (not those after an added token).
        case first
        case never
    }

    let replacement: Unicode.Scalar
    let prependScheme: PrependScheme
    let splits: Bool

    // text -> pieces, none empty; `startsInput`: the text begins at the input's first character.
    func split(_ text: [Unicode.Scalar], startsInput: Bool) -> [ArraySlice<Unicode.Scalar>] {
        guard !text.isEmpty else { return [] }
        var replaced = text.map { $0 == " " ? replacement : $0 }
        let prepends = switch prependScheme {
        case .always: true
        case .first: startsInput
        case .never: false
        }
        if prepends, replaced.first != replacement { replaced.insert(replacement, at: 0) }
        guard splits else { return [replaced[...]] }
        // Each replacement starts a piece, so in a run of them all but the last are pieces alone.
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for index in replaced.indices.dropFirst() where replaced[index] == replacement {
            pieces.append(replaced[start..<index])
            start = index
        }
        pieces.append(replaced[start...])
        return pieces
    }
}

/// tokenizers' `WhitespaceSplit`: pieces between White_Space scalars, which are dropped.
struct WhitespaceSplitPreTokenizer: Sendable, Equatable {
    func split(_ text: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        text.split(whereSeparator: \.properties.isWhitespace)
    }
}
