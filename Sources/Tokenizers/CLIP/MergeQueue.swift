/// The merge candidates of one word, lowest rank first and, among equal ranks, leftmost first:
/// the order of tokenizers' `BinaryHeap<Merge>` in `models/bpe/word.rs` (`Merge::cmp` reverses
/// rank, then position). Each candidate is packed as `rank << 32 | position`, so that order is
/// one unsigned comparison and an entry is one machine word.
///
/// A plain binary min-heap over an array: push and pop cost O(log n) comparisons, building from
/// n candidates O(n). `comparisons` counts every comparison made, so tests can bound the work of
/// a word structurally instead of timing it.
struct MergeQueue {
    private var heap: [UInt64]
    private(set) var comparisons = 0

    static func entry(rank: Int32, position: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position))
    }

    static func rank(of entry: UInt64) -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: entry >> 32)) }
    static func position(of entry: UInt64) -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: entry)) }

    /// Floyd's bottom-up construction: O(n) instead of n pushes' O(n log n). The pop order does
    /// not depend on how the heap was built, because no two distinct candidates share a key.
    init(heapifying entries: [UInt64]) {
        heap = entries
        var parent = heap.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(from: parent)
        }
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ entry: UInt64) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            comparisons += 1
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let minimum = heap[0]
        heap[0] = last
        siftDown(from: 0)
        return minimum
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smaller = left
            let right = left + 1
            if right < count {
                comparisons += 1
                if heap[right] < heap[left] { smaller = right }
            }
            comparisons += 1
            guard heap[smaller] < heap[parent] else { return }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
