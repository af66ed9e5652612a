import Digests
import Foundation
import Synchronization

/// A bounded least-recently-used cache of query embeddings. Keys carry everything that
/// changes the vector (text, language path, adapter version), so a hot-swap never serves a
/// stale embedding: the new adapter's version simply misses.
///
/// Bounded in bytes as well as entries: a key holds the text's SHA-256, never the text, so an
/// entry costs the same whatever the client sent (`approximateBytesPerEntry`), and
/// `capacity` entries cost at most `capacity × approximateBytesPerEntry(dimension)`.
public final class EmbeddingCache: Sendable {
    public struct Key: Hashable, Sendable {
        /// SHA-256 of the text's UTF-8 bytes, hex.
        public let textDigest: String
        public let language: QueryLanguage
        /// Identifies the exact model + adapter activation that produced the vector.
        public let producer: String

        public init(text: String, language: QueryLanguage, producer: String) {
            textDigest = SHA256.hex(Data(text.utf8))
            self.language = language
            self.producer = producer
        }
    }

    /// What one entry holds at most besides its vector: the key's digest, the node's links and
    /// the embedding's fields (the producer string is shared by every entry of one activation).
    public static func approximateBytesPerEntry(dimension: Int) -> Int { dimension * MemoryLayout<Float>.size + 256 }

    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var entries = 0
        public var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
    }

    /// Doubly linked list threaded through an array, so the hot path allocates nothing per hit.
    private struct Node {
        var key: Key
        var value: TextEmbedding
        var previous: Int
        var next: Int
    }

    private struct State {
        var index: [Key: Int] = [:]
        var nodes: [Node] = []
        var head = -1  // most recent
        var tail = -1  // least recent
        var statistics = Statistics()
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    public func value(for key: Key) -> TextEmbedding? {
        state.withLock { state in
            guard let slot = state.index[key] else {
                state.statistics.misses += 1
                return nil
            }
            state.statistics.hits += 1
            Self.moveToFront(slot, in: &state)
            return state.nodes[slot].value
        }
    }

    public func insert(_ value: TextEmbedding, for key: Key) {
        guard capacity > 0 else { return }
        state.withLock { state in
            if let slot = state.index[key] {
                state.nodes[slot].value = value
                Self.moveToFront(slot, in: &state)
                return
            }
            let slot: Int
            if state.nodes.count < capacity {
                slot = state.nodes.count
                state.nodes.append(Node(key: key, value: value, previous: -1, next: -1))
            } else {
                // Reuse the least recent node's storage.
                slot = state.tail
                Self.unlink(slot, in: &state)
                state.index[state.nodes[slot].key] = nil
                state.nodes[slot].key = key
                state.nodes[slot].value = value
            }
            state.index[key] = slot
            Self.pushFront(slot, in: &state)
            state.statistics.entries = state.index.count
        }
    }

    private static func moveToFront(_ slot: Int, in state: inout State) {
        guard state.head != slot else { return }
        unlink(slot, in: &state)
        pushFront(slot, in: &state)
    }

    private static func unlink(_ slot: Int, in state: inout State) {
        let (previous, next) = (state.nodes[slot].previous, state.nodes[slot].next)
        if previous >= 0 { state.nodes[previous].next = next } else { state.head = next }
        if next >= 0 { state.nodes[next].previous = previous } else { state.tail = previous }
        state.nodes[slot].previous = -1
        state.nodes[slot].next = -1
    }

    private static func pushFront(_ slot: Int, in state: inout State) {
        state.nodes[slot].next = state.head
        state.nodes[slot].previous = -1
        if state.head >= 0 { state.nodes[state.head].previous = slot }
        state.head = slot
        if state.tail < 0 { state.tail = slot }
    }
}
