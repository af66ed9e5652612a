import Foundation

/// What the JPEG decoder checks before letting TurboJPEG allocate anything: the frame's size and
/// sampling, where the scans start, how many there are, and the EXIF payload. Read by walking
/// the markers, and the entropy-coded data between scans, without decoding a coefficient; the
/// walk is one pass over the file.
struct JPEGLayout {
    /// One component of the frame header: its horizontal and vertical sampling factors (1...4).
    struct Component {
        let horizontal: Int
        let vertical: Int
    }

    /// SOFn: the coding process (baseline, extended, progressive; Huffman or arithmetic).
    var frameMarker: UInt8?
    var width = 0
    var height = 0
    var components: [Component] = []
    /// Offset of the first SOS marker, nil if the walk never reaches one.
    var firstScan: Int?
    /// SOS markers found (each starts a scan).
    var scanCount = 0
    /// The EXIF APP1 payloads before the first scan, concatenated the way Pillow's JpegImagePlugin
    /// does (the first with its `Exif\0\0` header, later ones without); nil if none.
    var exif: [UInt8]?

    /// Whether the frame is arithmetic-coded (SOF9...SOF15 except DHT-like 0xCC).
    var isArithmeticCoded: Bool { (frameMarker ?? 0) >= 0xC9 }

    /// 8×8 blocks in the frame: each component's sampled size, rounded up to whole blocks.
    var blockCount: Int {
        let hMax = components.map(\.horizontal).max() ?? 1, vMax = components.map(\.vertical).max() ?? 1
        return components.reduce(0) { total, c in
            let w = (width * c.horizontal + hMax - 1) / hMax, h = (height * c.vertical + vMax - 1) / vMax
            return total + (w + 7) / 8 * ((h + 7) / 8)
        }
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]
        var i = 2  // after SOI
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            if marker == 0xD9 { return }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(i + 4)..<(i + 2 + length)])
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                if frameMarker == nil { readFrame(marker, payload) }
            case 0xE1 where firstScan == nil && payload.count >= 6 && payload.prefix(6).elementsEqual(exifHeader):
                if exif == nil { exif = Array(payload) } else { exif?.append(contentsOf: payload[6...]) }
            case 0xDA:
                scanCount += 1
                if firstScan == nil { firstScan = i }
                i = Self.endOfEntropyCodedData(bytes, from: i + 2 + length)
                continue
            default:
                break
            }
            i += 2 + length
        }
    }

    private mutating func readFrame(_ marker: UInt8, _ p: UnsafeRawBufferPointer) {
        guard p.count >= 6 else { return }
        let count = Int(p[5])
        guard p.count >= 6 + 3 * count else { return }
        frameMarker = marker
        height = Int(p[1]) << 8 | Int(p[2])
        width = Int(p[3]) << 8 | Int(p[4])
        components = (0..<count).map { k in
            let factors = p[6 + 3 * k + 1]
            return Component(horizontal: max(1, Int(factors >> 4)), vertical: max(1, Int(factors & 0x0F)))
        }
    }

    /// The offset of the marker that ends a scan's entropy-coded data (or the end of the file):
    /// inside the data every 0xFF is followed by a stuffed 0x00 or is a restart marker.
    private static func endOfEntropyCodedData(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return bytes.count }
        var i = start
        while i + 1 < bytes.count {
            // memchr to the next 0xFF: a photo's scan data is megabytes with an 0xFF every few
            // hundred bytes, and a byte-at-a-time walk cost a tenth of a DCT-scaled decode.
            guard let found = memchr(base + i, 0xFF, bytes.count - 1 - i) else { return bytes.count }
            i = base.distance(to: UnsafeRawPointer(found))
            let next = bytes[i + 1]
            if next == 0x00 || (0xD0...0xD7).contains(next) { i += 2; continue }
            if next == 0xFF { i += 1; continue }
            return i
        }
        return bytes.count
    }
}
