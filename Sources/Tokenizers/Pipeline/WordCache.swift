import Foundation
import Synchronization

/// A bounded, thread-safe memo of word -> ids, shared by every request using one tokenizer.
///
/// Bounded three ways (`Limits`): by words, like tokenizers' `Cache` (BPE's default capacity is
/// 10,000 words); by the length of a word, so one request cannot park a huge key in it; and by the
/// bytes its entries hold, so a flood of long unique words cannot grow memory past the budget.
///
/// Like tokenizers, it stops inserting when full instead of evicting. A server's vocabulary of
/// frequent words fills it early; eviction would make every hit a write (recency bookkeeping
/// under the lock) to defend only the speed of a cache miss, and a miss is cheap: a cached word
/// is at most `longestWordBytes` long and BPE is O(n log n) per word. So the worst a flood of
/// unique words can do is take the memo's place, never stall a request or grow memory.
///
/// A lock-protected class rather than `Synchronization.Mutex`, which needs macOS 15 while the
/// package supports macOS 14. `@unchecked Sendable` is sound because every access to
/// `entries` and `chargedBytes` happens while holding `lock`.
final class WordCache: Sendable {
    struct Limits: Sendable, Equatable {
        /// Words memoised at most.
        var wordCount: Int
        /// Longest word, in UTF-8 bytes, ever memoised. The default is tokenizers' own bound
        /// (`utils/cache.rs` `MAX_LENGTH`): natural words are far shorter, and longer ones (runs
        /// of symbols, base64, hostile input) are rarely repeated.
        var longestWordBytes: Int
        /// Most bytes all entries may be charged (`chargedBytes(wordBytes:ids:)`).
        var byteBudget: Int

        static let defaultWordCount = 10_000
        static let defaultLongestWordBytes = 256
        static let defaultByteBudget = 4 << 20

        init(
            wordCount: Int = defaultWordCount, longestWordBytes: Int = defaultLongestWordBytes,
            byteBudget: Int = defaultByteBudget
        ) {
            self.wordCount = max(0, wordCount)
            self.longestWordBytes = max(0, longestWordBytes)
            self.byteBudget = max(0, byteBudget)
        }
    }

    /// Bytes an entry costs beyond its contents: two array headers (32 bytes each on 64-bit) and
    /// the dictionary's slot (two references, at three-quarters load), rounded up.
    static let entryOverheadBytes = 96

    /// What one entry is charged: its key's bytes, 8 per id, and the fixed overhead. Callers pass
    /// the arrays' capacities, which is what they hold allocated.
    static func chargedBytes(wordBytes: Int, ids: Int) -> Int {
        wordBytes + ids * MemoryLayout<Int>.size + entryOverheadBytes
    }

    let limits: Limits
    private struct State {
        var entries: [[UInt8]: [Int]] = [:]
        var charged = 0
    }

    private let state = Mutex(State())

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    func value(for word: [UInt8]) -> [Int]? {
        // Never cached: skip the lock and the hashing of a long key.
        guard word.count <= limits.longestWordBytes else { return nil }
        return state.withLock { $0.entries[word] }
    }

    func insert(_ ids: [Int], for word: [UInt8]) {
        guard word.count <= limits.longestWordBytes else { return }
        let cost = Self.chargedBytes(wordBytes: word.capacity, ids: ids.capacity)
        state.withLock { state in
            // Two threads may encode the same word at once; the second must not be charged twice.
            guard state.entries.count < limits.wordCount, state.charged + cost <= limits.byteBudget, state.entries[word] == nil
            else { return }
            state.entries[word] = ids
            state.charged += cost
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Bytes currently charged to the entries; never above `limits.byteBudget`.
    var chargedBytes: Int { state.withLock { $0.charged } }
}
