import Foundation
@testable import Imaging

/// Builds small PNG files by hand (zlib with one stored block), for cases no encoder writes.
enum TinyPNG {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBytes { CRC32.checksum($0) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A zlib stream holding `raw` in stored DEFLATE blocks (one per 65,535 bytes).
    static func zlibStored(_ raw: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        var stream: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(raw.count, start + 65535)
            let n = UInt16(end - start)
            stream += [end == raw.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)]
            stream += raw[start..<end]
            start = end
        } while start < raw.count
        return stream + bigEndian(b << 16 | a)
    }

    /// A whole file around an already compressed zlib stream.
    static func file(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, zlib: [UInt8]) -> Data {
        Data(signature + header(width: width, height: height, bitDepth: bitDepth, colorType: colorType)
            + chunk("IDAT", zlib) + chunk("IEND", []))
    }

    static func header(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8) -> [UInt8] {
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [bitDepth, colorType, 0, 0, 0])
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A whole file: signature, IHDR, `extra` chunks, one IDAT of `rows` (filter bytes included), IEND.
    static func file(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, extra: [[UInt8]] = [], rows: [UInt8]) -> Data {
        Data(signature + header(width: width, height: height, bitDepth: bitDepth, colorType: colorType)
            + extra.flatMap { $0 } + chunk("IDAT", zlibStored(rows)) + chunk("IEND", []))
    }
}
