/// The container formats we decode, recognised by their magic bytes (never by file name).
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"

    public var description: String { rawValue }

    /// The IANA media type (what a server sends as Content-Type for these bytes).
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        }
    }

    /// Identifies the format from the first bytes; throws a precise error for anything else.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageFormat {
        func starts(with magic: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + magic.count else { return false }
            for (i, b) in magic.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) { return .webp }
        if starts(with: Array("GIF8".utf8)) { throw .unsupportedFormat("GIF") }
        if starts(with: Array("BM".utf8)) { throw .unsupportedFormat("BMP") }
        if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            throw .unsupportedFormat("TIFF")
        }
        if starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50]) { throw .unsupportedFormat("JPEG 2000") }
        if starts(with: Array("ftyp".utf8), at: 4) { throw .unsupportedFormat("HEIF/AVIF") }
        let hex = bytes.prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        throw .unknownFormat(leadingBytes: hex.isEmpty ? "(empty)" : hex.joined(separator: " "))
    }
}
