/// The token ids a learned prompt needs for each class, from the CLIP tokenizer, without the
/// start/end tokens (the prompt places those itself). Both forms are kept because CoOp reads
/// "<name><suffix>" as one text (as it was trained: "X X X X cat.") while a structured prompt
/// puts the instance context between the name and the suffix.
public struct PromptClassTokens: Sendable, Equatable {
    /// Tokens of the class name.
    public var name: [Int]
    /// Tokens of the class name followed by the prompt's class suffix.
    public var nameWithSuffix: [Int]
    /// Tokens of the class suffix alone.
    public var suffix: [Int]

    public init(name: [Int], nameWithSuffix: [Int], suffix: [Int]) {
        self.name = name
        self.nameWithSuffix = nameWithSuffix
        self.suffix = suffix
    }
}
