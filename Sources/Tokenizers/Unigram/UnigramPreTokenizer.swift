/// The pre-tokenisers of SentencePiece-based `tokenizer.json` files, applied in order (a
/// `Sequence` is flattened into `steps`): `Metaspace` alone (XLM-R, mBART), or after
/// `WhitespaceSplit` in some older conversions.
struct UnigramPreTokenizer: Sendable {
    enum Step: Sendable, Equatable {
        case metaspace(MetaspacePreTokenizer)
        case whitespaceSplit(WhitespaceSplitPreTokenizer)
    }

    let steps: [Step]

    private struct Piece {
        var scalars: ArraySlice<Unicode.Scalar>
        var startsInput: Bool
    }

    // text -> the pieces the model encodes one by one, none empty.
    func split(_ text: [Unicode.Scalar], startsInput: Bool) -> [ArraySlice<Unicode.Scalar>] {
        var pieces = text.isEmpty ? [] : [Piece(scalars: text[...], startsInput: startsInput)]
        for step in steps {
            pieces = pieces.flatMap { piece -> [Piece] in
                switch step {
                case .metaspace(let metaspace):
                    // Only the first part of a piece that begins the input still begins it.
                    return metaspace.split(Array(piece.scalars), startsInput: piece.startsInput).enumerated().map {
                        Piece(scalars: $0.element, startsInput: piece.startsInput && $0.offset == 0)
                    }
                case .whitespaceSplit(let whitespace):
                    // A part after leading whitespace no longer begins the input.
                    return whitespace.split(piece.scalars).map {
                        Piece(scalars: $0, startsInput: piece.startsInput && $0.startIndex == piece.scalars.startIndex)
                    }
                }
            }
        }
        return pieces.map(\.scalars)
    }
}
