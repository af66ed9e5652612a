/// Added tokens with `lstrip` / `rstrip` take the whitespace (regex `\s`) next to them, so it
/// never reaches the model: XLM-R's `<mask>` has lstrip, making `"a <mask>"` the same ids as
/// `"a<mask>"` (tokenizers' `AddedVocabulary::find_matches`).
struct AddedTokenWhitespace: Sendable {
    let lstripIDs: Set<Int>
    let rstripIDs: Set<Int>

    // segments -> the same segments with stripped whitespace removed and emptied text dropped.
    func apply(_ segments: [AddedTokenMatcher.Segment]) -> [AddedTokenMatcher.Segment] {
        guard !lstripIDs.isEmpty || !rstripIDs.isEmpty else { return segments }
        var result: [AddedTokenMatcher.Segment] = []
        var stripsNextLeading = false
        for segment in segments {
            switch segment {
            case .token(let id):
                // Only text since the previous match can be taken: a token never takes another's.
                if lstripIDs.contains(id), case .text(let previous)? = result.last {
                    result.removeLast()
                    var kept = previous
                    while let last = kept.last, last.isRegexWhitespace { kept = kept.dropLast() }
                    if !kept.isEmpty { result.append(.text(kept)) }
                }
                result.append(segment)
                stripsNextLeading = rstripIDs.contains(id)
            case .text(let text):
                let kept = stripsNextLeading ? text.drop(while: \.isRegexWhitespace) : text
                stripsNextLeading = false
                if !kept.isEmpty { result.append(.text(kept)) }
            }
        }
        return result
    }
}
