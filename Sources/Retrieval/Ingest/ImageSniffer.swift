import Foundation

/// Recognises the formats the Imaging layer decodes (JPEG, PNG, WebP) by their magic bytes —
/// file extensions lie — and reads the pixel size from the header without decoding.
public enum ImageSniffer {
    public enum Format: String, Sendable, Codable { case jpeg, png, webp }

    public struct Header: Sendable, Equatable {
        public let format: Format
        /// nil when the header is too short or unusual to tell; decoding may still succeed.
        public let width: Int?
        public let height: Int?
    }

    public static func sniff(_ data: Data) -> Header? {
        let b = [UInt8](data.prefix(64 * 1024))
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return jpeg(b) }
        if b.count >= 8, Array(b[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return png(b) }
        if b.count >= 12, Array(b[0..<4]) == Array("RIFF".utf8), Array(b[8..<12]) == Array("WEBP".utf8) { return webp(b) }
        return nil
    }

    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func be32(_ b: [UInt8], _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { le16(b, i) | Int(b[i + 2]) << 16 }

    /// IHDR is the first chunk: width and height are big-endian at bytes 16 and 20.
    private static func png(_ b: [UInt8]) -> Header {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return Header(format: .png, width: nil, height: nil) }
        return Header(format: .png, width: positive(be32(b, 16)), height: positive(be32(b, 20)))
    }

    /// Walks the marker segments to the first start-of-frame (SOF0–SOF15 except DHT/JPG/DAC).
    private static func jpeg(_ b: [UInt8]) -> Header {
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { break }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return Header(format: .jpeg, width: positive(be16(b, i + 7)), height: positive(be16(b, i + 5)))
            }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            i += 2 + be16(b, i + 2)
        }
        return Header(format: .jpeg, width: nil, height: nil)
    }

    /// VP8 (lossy), VP8L (lossless) and VP8X (extended) carry the size in different places.
    private static func webp(_ b: [UInt8]) -> Header {
        guard b.count >= 30 else { return Header(format: .webp, width: nil, height: nil) }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            return Header(format: .webp, width: positive(le16(b, 26) & 0x3FFF), height: positive(le16(b, 28) & 0x3FFF))
        case "VP8L":
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            return Header(format: .webp, width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return Header(format: .webp, width: le24(b, 24) + 1, height: le24(b, 27) + 1)
        default:
            return Header(format: .webp, width: nil, height: nil)
        }
    }

    private static func positive(_ v: Int) -> Int? { v > 0 ? v : nil }
}
