import Foundation

/// A bounded, thread-safe memo of word -> ids, shared by every request using one tokenizer.
/// Like tokenizers' `Cache` (BPE's default capacity is 10,000 words), it stops inserting when
/// full instead of evicting: a server's vocabulary of frequent words fills it early, and a
/// flood of unique words cannot grow memory.
///
/// A lock-protected class rather than `Synchronization.Mutex`, which needs macOS 15 while the
/// package supports macOS 14. `@unchecked Sendable` is sound because every access to
/// `entries` happens while holding `lock`.
final class WordCache: @unchecked Sendable {
    static let defaultCapacity = 10_000

    let capacity: Int
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int]] = [:]

    init(capacity: Int = WordCache.defaultCapacity) {
        self.capacity = max(0, capacity)
    }

    func value(for word: [UInt8]) -> [Int]? {
        lock.withLock { entries[word] }
    }

    func insert(_ ids: [Int], for word: [UInt8]) {
        lock.withLock {
            if entries.count < capacity { entries[word] = ids }
        }
    }

    var count: Int { lock.withLock { entries.count } }
}
