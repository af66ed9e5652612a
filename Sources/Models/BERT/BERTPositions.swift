/// Which position embedding each token of a sequence reads.
///
/// - `fromZero`: BERT's (`BertEmbeddings`): token t reads row t.
/// - `afterPadding`: RoBERTa's and XLM-R's (`create_position_ids_from_input_ids` in
///   modeling_roberta.py / modeling_xlm_roberta.py): rows start at `pad_token_id + 1`; a pad
///   token reads row `pad_token_id` and does not advance the count. The first
///   `pad_token_id + 1` rows are never read by real tokens, so a sequence may hold at most
///   `max_position_embeddings - pad_token_id - 1` tokens.
public enum BERTPositions: String, Sendable, Equatable {
    case fromZero
    case afterPadding

    /// The position row of every token of `ids`.
    func rows(of ids: [Int], padTokenID: Int) -> [Int] {
        switch self {
        case .fromZero:
            return Array(ids.indices)
        case .afterPadding:
            var seen = 0
            return ids.map { id in
                guard id != padTokenID else { return padTokenID }
                seen += 1
                return padTokenID + seen
            }
        }
    }
}
