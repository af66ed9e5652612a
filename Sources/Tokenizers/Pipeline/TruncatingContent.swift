/// Content ids gathered for one text up to a post-processor's capacity, remembering whether any
/// input was left unread. Truncation keeps a prefix, so work past the capacity cannot change
/// the ids: callers stop feeding once `hasRoom` is false, which bounds the cost of long inputs.
struct TruncatingContent {
    private let postProcessor: BoundaryTokenPostProcessor
    private var content: [Int] = []
    private var leftInputUnread = false

    init(_ postProcessor: BoundaryTokenPostProcessor) { self.postProcessor = postProcessor }

    /// Whether more input may still change the result; false marks the text as truncated.
    mutating func hasRoom() -> Bool {
        guard content.count >= postProcessor.contentCapacity else { return true }
        leftInputUnread = true
        return false
    }

    mutating func append(_ id: Int) { content.append(id) }
    mutating func append(contentsOf ids: [Int]) { content.append(contentsOf: ids) }

    /// The boundary-wrapped ids, and whether content was cut (unread input, or one word's
    /// pieces overflowing the capacity).
    func finish() -> TokenEncoding {
        TokenEncoding(
            ids: postProcessor.process(content),
            truncated: leftInputUnread || content.count > postProcessor.contentCapacity)
    }
}
