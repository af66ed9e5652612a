/// Content ids gathered for one text up to a post-processor's capacity, remembering whether any
/// were cut. Truncation keeps a prefix, so work past the capacity cannot change the ids: callers
/// stop feeding once `hasRoom` is false, which bounds the cost of long inputs.
struct TruncatingContent {
    private let postProcessor: BoundaryTokenPostProcessor
    private var content: [Int] = []
    private var leftInputUnread = false
    /// Some ids did not fit; only the ones that did are kept, so one huge word costs no copy.
    private var overflowed = false

    init(_ postProcessor: BoundaryTokenPostProcessor) { self.postProcessor = postProcessor }

    /// Whether another id fits. Ask only when one more id is known to follow: false marks the
    /// text as truncated.
    mutating func hasRoom() -> Bool {
        guard content.count >= postProcessor.contentCapacity else { return true }
        leftInputUnread = true
        return false
    }

    mutating func append(_ id: Int) { append(contentsOf: CollectionOfOne(id)) }

    mutating func append(contentsOf ids: some Collection<Int>) {
        let room = postProcessor.contentCapacity - content.count
        if ids.count > room { overflowed = true }
        content.append(contentsOf: ids.prefix(max(0, room)))
    }

    /// The boundary-wrapped ids, and whether content was cut (unread input, or one word's
    /// pieces overflowing the capacity).
    func finish() -> TokenEncoding {
        TokenEncoding(
            ids: postProcessor.process(content),
            truncated: leftInputUnread || overflowed)
    }
}
