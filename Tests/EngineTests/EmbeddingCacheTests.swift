import Testing
@testable import Engine

@Suite struct EmbeddingCacheTests {
    private func entry(_ x: Float) -> TextEmbedding {
        TextEmbedding(vector: [x], tokenCount: 3, truncated: false, language: .en, producer: "clip@1")
    }

    private func key(_ text: String, producer: String = "clip@1") -> EmbeddingCache.Key {
        .init(text: text, language: .en, producer: producer)
    }

    @Test func leastRecentlyUsedEntryIsEvicted() {
        let cache = EmbeddingCache(capacity: 2)
        cache.insert(entry(1), for: key("a"))
        cache.insert(entry(2), for: key("b"))
        #expect(cache.value(for: key("a"))?.vector == [1])  // a is now the most recent
        cache.insert(entry(3), for: key("c"))  // evicts b
        #expect(cache.value(for: key("b")) == nil)
        #expect(cache.value(for: key("a"))?.vector == [1])
        #expect(cache.value(for: key("c"))?.vector == [3])
        #expect(cache.statistics.entries == 2)
    }

    @Test func anotherAdapterVersionMisses() {
        let cache = EmbeddingCache(capacity: 4)
        cache.insert(entry(1), for: key("红色", producer: "zh-adapter@1"))
        #expect(cache.value(for: key("红色", producer: "zh-adapter@2")) == nil)
        #expect(cache.value(for: key("红色", producer: "zh-adapter@1"))?.vector == [1])
        let stats = cache.statistics
        #expect(stats.hits == 1 && stats.misses == 1 && stats.hitRate == 0.5)
    }

    @Test func reinsertingUpdatesInPlace() {
        let cache = EmbeddingCache(capacity: 2)
        cache.insert(entry(1), for: key("a"))
        cache.insert(entry(9), for: key("a"))
        #expect(cache.value(for: key("a"))?.vector == [9])
        #expect(cache.statistics.entries == 1)
    }

    @Test func zeroCapacityCachesNothing() {
        let cache = EmbeddingCache(capacity: 0)
        cache.insert(entry(1), for: key("a"))
        #expect(cache.value(for: key("a")) == nil)
    }

    @Test func concurrentUseKeepsTheBound() async {
        let cache = EmbeddingCache(capacity: 16)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<500 {
                        let k = EmbeddingCache.Key(text: "\((i * 7 + t) % 40)", language: .en, producer: "p")
                        if cache.value(for: k) == nil { cache.insert(entry(Float(i)), for: k) }
                    }
                }
            }
        }
        #expect(cache.statistics.entries <= 16)
        #expect(cache.statistics.hits + cache.statistics.misses == 4000)
    }
}
