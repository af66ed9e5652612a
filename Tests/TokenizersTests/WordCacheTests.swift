import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// The merge cache is bounded in words, in the length of a word and in bytes.
@Suite struct WordCacheTests {
    func word(_ count: Int, _ byte: UInt8 = UInt8(ascii: "a")) -> [UInt8] {
        [UInt8](repeating: byte, count: count)
    }

    @Test func wordsLongerThanTheBoundAreNeverCached() {
        let cache = WordCache(limits: .init(longestWordBytes: 256))
        cache.insert([1], for: word(257))
        #expect(cache.value(for: word(257)) == nil)
        #expect(cache.count == 0)
        cache.insert([1], for: word(256))
        #expect(cache.value(for: word(256)) == [1])
        #expect(cache.count == 1)
    }

    @Test func theSameWordIsChargedOnce() {
        let cache = WordCache()
        let key = word(10)
        let ids = [1, 2]
        cache.insert(ids, for: key)
        let charged = cache.chargedBytes
        cache.insert(ids, for: key)
        #expect(cache.count == 1)
        #expect(cache.chargedBytes == charged)
        #expect(charged == WordCache.chargedBytes(wordBytes: key.capacity, ids: ids.capacity))
    }

    @Test func aWordThatDoesNotFitIsRefusedButSmallerOnesStillEnter() {
        // Entries are charged their arrays' capacities, so the budget is computed from the same arrays.
        let (first, large, last) = (word(8, 1), word(8, 2), word(8, 3))
        let (small, many) = ([1], [Int](repeating: 1, count: 100))
        func cost(_ key: [UInt8], _ ids: [Int]) -> Int { WordCache.chargedBytes(wordBytes: key.capacity, ids: ids.capacity) }
        let budget = cost(first, small) + cost(last, small)
        #expect(cost(large, many) > budget - cost(first, small))
        let cache = WordCache(limits: .init(byteBudget: budget))
        cache.insert(small, for: first)
        cache.insert(many, for: large)
        cache.insert(small, for: last)
        #expect(cache.value(for: large) == nil)
        #expect(cache.count == 2)
        #expect(cache.chargedBytes == budget)
    }

    /// Unique words as long as the cache takes, and far longer ones, from many texts: the cache
    /// fills to its budget, never past it, and takes none of the long words.
    @Test func floodOfUniqueLongWordsStaysUnderTheByteBudget() throws {
        let budget = 32 * 1024
        let tokenizer = try CLIPTokenizer(directory: Fixtures.directory("clip"), cacheByteBudget: budget)
        var random = SplitMix64(seed: 0xF100D)
        func letters(_ count: Int) -> String {
            String((0..<count).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &random))) })
        }
        let longest = CLIPTokenizer.longestCachedWordBytes
        // At most one id per byte.
        let largestEntry = WordCache.chargedBytes(wordBytes: longest, ids: longest)
        for round in 0..<150 {
            _ = tokenizer.encode(letters(longest))
            if round % 8 == 0 { _ = tokenizer.encode(letters(4 * 1024)) }
            #expect(tokenizer.cachedWordBytes <= budget)
        }
        print("cache after the flood: \(tokenizer.cachedWordCount) words, \(tokenizer.cachedWordBytes) of \(budget) bytes")
        // Full: the next unique word would not have fitted.
        #expect(tokenizer.cachedWordBytes > budget - largestEntry)
        #expect(tokenizer.cachedWordCount < 150)
    }
}
