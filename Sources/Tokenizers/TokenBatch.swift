/// Token ids of several texts, unpadded. `lengths[i]` is the number of real tokens of text `i`
/// (its attention length); a model runs the batch up to `longestLength` and masks the rest.
public struct TokenBatch: Sendable, Equatable {
    public let ids: [[Int]]

    public init(ids: [[Int]]) {
        self.ids = ids
    }

    public var lengths: [Int] { ids.map(\.count) }

    public var longestLength: Int { ids.map(\.count).max() ?? 0 }

    public var count: Int { ids.count }
}
