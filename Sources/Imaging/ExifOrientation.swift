/// The EXIF Orientation tag (0x0112): how the stored pixels must be turned to be seen upright.
/// Applied exactly as `PIL.ImageOps.exif_transpose` does (Pillow ImageOps.py): 2 flip left-right,
/// 3 rotate 180, 4 flip top-bottom, 5 transpose, 6 rotate 270 (i.e. 90 clockwise), 7 transverse,
/// 8 rotate 90 (counter-clockwise). Any other value, or no tag, leaves the image as stored.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    case up = 1
    case mirrored = 2
    case rotated180 = 3
    case flippedVertically = 4
    case transposed = 5
    case rotatedClockwise = 6
    case transversed = 7
    case rotatedCounterClockwise = 8

    /// Reads IFD0's Orientation from an EXIF block: a TIFF structure, optionally preceded by
    /// `Exif\0\0` (as in JPEG APP1 and Pillow's `info["exif"]`). Malformed EXIF is ignored, as
    /// Pillow ignores it for orientation, so the result is `.up`.
    static func parse(exif: UnsafeRawBufferPointer) -> ExifOrientation {
        var tiff = exif
        let prefix: [UInt8] = Array("Exif".utf8) + [0, 0]
        if tiff.count >= 6, tiff.prefix(6).elementsEqual(prefix) {
            tiff = UnsafeRawBufferPointer(rebasing: tiff[6...])
        }
        guard tiff.count >= 8 else { return .up }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return .up
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return littleEndian ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return littleEndian ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let entryCount = u16(ifd) else { return .up }
        for e in 0..<entryCount {
            let entry = ifd + 2 + e * 12
            guard let tag = u16(entry), let type = u16(entry + 2), let count = u32(entry + 4) else { return .up }
            guard tag == 0x0112 else { continue }
            // A single SHORT (type 3) or LONG (type 4) stored inline in the value field.
            guard count == 1 else { return .up }
            let value: Int?
            switch type {
            case 3: value = u16(entry + 8)
            case 4: value = u32(entry + 8)
            default: value = nil
            }
            return value.flatMap(ExifOrientation.init(rawValue:)) ?? .up
        }
        return .up
    }

    /// Whether width and height trade places.
    var swapsAxes: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// Returns the image turned upright according to `orientation`.
    // image: [h, w, 3] -> [h, w, 3] or [w, h, 3] for orientations 5...8.
    // Each output pixel (x, y) reads the source pixel given by Pillow's Transpose operation.
    public func applying(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let outWidth = orientation.swapsAxes ? h : w
        let outHeight = orientation.swapsAxes ? w : h
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let sx: Int, sy: Int
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .rotated180: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .flippedVertically: (sx, sy) = (x, h - 1 - y)
                        case .transposed: (sx, sy) = (y, x)
                        case .rotatedClockwise: (sx, sy) = (y, h - 1 - x)
                        case .transversed: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .rotatedCounterClockwise: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * 3
                        let d = (y * outWidth + x) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(validatedWidth: outWidth, height: outHeight, pixels: out)
    }
}
