import Tokenizers

/// A tokenizer never longer than its model's position table: transformers would index out of
/// range past it, so where a tokenizer's files allow more (`model_max_length`), the model's
/// limit wins.
enum TokenizerFit {
    /// `make(nil)` (as the files say) when it fits `positions`, else `make(positions)`.
    static func fitting<T: TextTokenizer>(positions: Int, _ make: (Int?) throws -> T) throws -> T {
        let fromFiles = try make(nil)
        return fromFiles.maxLength <= positions ? fromFiles : try make(positions)
    }
}
