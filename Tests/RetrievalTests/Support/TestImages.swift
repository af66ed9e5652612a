import Foundation
import TestSupport
@testable import Retrieval

/// An embedder for ingestion tests, standing in for the Engine (which lands separately): it
/// checks every PNG chunk's CRC (throwing on a damaged file, as a decoder would) and embeds the
/// file as its byte histogram folded to `space.dimension`. Deterministic, so the same file always
/// gets the same vector.
struct PNGHistogramEmbedder: ImageEmbedder {
    let space: EmbeddingSpace

    struct DecodeError: Error, CustomStringConvertible { let description: String }

    func embed(images: [Data]) async throws -> [[Float]] {
        try images.map { data in
            let b = [UInt8](data)
            var i = 8
            while i + 12 <= b.count {
                let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
                guard i + 12 + length <= b.count else { throw DecodeError(description: "truncated chunk") }
                let typed = Array(b[i + 4..<i + 8 + length])
                let stored = UInt32(b[i + 8 + length]) << 24 | UInt32(b[i + 9 + length]) << 16 | UInt32(b[i + 10 + length]) << 8 | UInt32(b[i + 11 + length])
                guard crc32(typed) == stored else { throw DecodeError(description: "bad CRC in \(String(decoding: typed.prefix(4), as: UTF8.self))") }
                i += 12 + length
            }
            var histogram = [Float](repeating: 1e-3, count: space.dimension)
            for (n, byte) in b.enumerated() { histogram[(Int(byte) &+ n) % space.dimension] += 1 }
            return histogram
        }
    }
}
