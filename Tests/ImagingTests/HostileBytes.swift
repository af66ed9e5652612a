import Foundation
import TestSupport
@testable import Imaging

/// Deterministic corruptions of fixture files for robustness tests.
enum HostileBytes {
    /// Flips `flips` random bits within `range` (the whole file by default), drawn from a seeded
    /// generator so every run corrupts the same bytes.
    static func bitFlipped(_ data: Data, flips: Int, in range: Range<Int>? = nil, rng: inout SplitMix64) -> Data {
        var bytes = [UInt8](data)
        let r = range ?? 0..<bytes.count
        for _ in 0..<flips {
            let i = Int.random(in: r, using: &rng)
            bytes[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
        }
        return Data(bytes)
    }

    /// Rewrites every PNG chunk's CRC so that corruption inside chunks reaches the decoder proper.
    static func withFixedPNGChecksums(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 0, i + 12 + length <= bytes.count else { break }
            let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(i + 4)..<(i + 8 + length)])) }
            for k in 0..<4 { bytes[i + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
            i += 12 + length
        }
        return Data(bytes)
    }

    /// Byte range of the first chunk named `type` (its data), for targeted corruption.
    static func pngChunkData(_ data: Data, type: String) -> Range<Int>? {
        let bytes = [UInt8](data)
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self) == type { return (i + 8)..<(i + 8 + length) }
            i += 12 + length
        }
        return nil
    }
}
