/// PNG decoded in Swift (see Inflate.swift for why not libpng), converted to RGB exactly as
/// Pillow's PngImagePlugin + `Image.convert("RGB")` do (Pillow Unpack.c / Convert.c):
/// - alpha (RGBA, grey+alpha, tRNS) is dropped, never composited;
/// - 16-bit RGB(A) and grey+alpha keep the most significant byte ("RGB;16B", "LA;16B");
/// - 16-bit grey opens as mode "I;16" whose conversion to RGB clips at 255 (values > 255 become 255);
/// - 1/2/4-bit grey scales to 0...255 (×255, ×85, ×17); palette indices map through PLTE
///   (indices past the palette's end read black);
/// - gAMA, cHRM, iCCP and sRGB are ignored, as Pillow ignores them when converting.
enum PNGDecoder {
    private struct Header {
        var width = 0, height = 0, bitDepth = 0, colorType = 0, interlaced = false
        var channels: Int {
            switch colorType {
            case 2: 3
            case 4: 2
            case 6: 4
            default: 1
            }
        }
        var bitsPerPixel: Int { channels * bitDepth }
        /// Filter unit: bytes per complete pixel, at least one.
        var filterStride: Int { max(1, bitsPerPixel / 8) }
        func rowBytes(width w: Int) -> Int { (w * bitsPerPixel + 7) / 8 }
    }

    /// The size IHDR announces, without reading further.
    static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        var reader = ChunkReader(bytes: bytes, position: 8)
        let chunk = try reader.next()
        guard chunk.type == "IHDR" else { throw .malformed(format: .png, detail: "first chunk is \(chunk.type), not IHDR") }
        let header = try parseHeader(UnsafeRawBufferPointer(rebasing: bytes[chunk.data]))
        return (header.width, header.height)
    }

    static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: ImageLimits, stop: inout StopCheck
    ) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        var reader = ChunkReader(bytes: bytes, position: 8)
        var header: Header? = nil
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        var exif: [UInt8]? = nil
        var sawEnd = false

        while !sawEnd {
            let chunk = try reader.next()
            let payload = UnsafeRawBufferPointer(rebasing: bytes[chunk.data])
            if header == nil && chunk.type != "IHDR" { throw .malformed(format: .png, detail: "first chunk is \(chunk.type), not IHDR") }
            switch chunk.type {
            case "IHDR":
                if header != nil { throw .malformed(format: .png, detail: "second IHDR chunk") }
                let parsed = try parseHeader(payload)
                // The size is known: refuse bombs before anything else is read or allocated.
                try limits.check(width: parsed.width, height: parsed.height)
                header = parsed
            case "PLTE":
                if payload.count % 3 != 0 || payload.count > 768 || payload.isEmpty {
                    throw .malformed(format: .png, detail: "PLTE chunk of \(payload.count) bytes")
                }
                palette = Array(payload)
            case "IDAT":
                compressed.append(contentsOf: payload)
            case "eXIf":
                exif = Array(payload)
            case "IEND":
                sawEnd = true
            default:
                // Unknown critical chunks (upper-case first letter) change how pixels read: refuse.
                if let first = chunk.type.utf8.first, first < 0x61 {
                    throw .unsupportedFeature(format: .png, detail: "critical chunk \(chunk.type)")
                }
            }
        }
        guard let header else { throw .malformed(format: .png, detail: "no IHDR chunk") }
        if header.colorType == 3 && palette.isEmpty { throw .malformed(format: .png, detail: "palette image without PLTE") }
        if compressed.isEmpty { throw .truncated(format: .png, detail: "no IDAT data") }

        let rgb = try decodeImageData(compressed, header: header, palette: palette, stop: &stop)
        return (RGBImage(validatedWidth: header.width, height: header.height, pixels: rgb), exif)
    }

    private static func parseHeader(_ p: UnsafeRawBufferPointer) throws(ImageError) -> Header {
        guard p.count == 13 else { throw .malformed(format: .png, detail: "IHDR of \(p.count) bytes") }
        var h = Header()
        h.width = readUInt32BE(p, 0)
        h.height = readUInt32BE(p, 4)
        h.bitDepth = Int(p[8])
        h.colorType = Int(p[9])
        guard h.width > 0, h.height > 0, h.width <= Int(Int32.max), h.height <= Int(Int32.max) else {
            throw .invalidDimensions(width: h.width, height: h.height)
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[h.colorType] else {
            throw .malformed(format: .png, detail: "colour type \(h.colorType)")
        }
        guard depths.contains(h.bitDepth) else {
            throw .malformed(format: .png, detail: "bit depth \(h.bitDepth) with colour type \(h.colorType)")
        }
        guard p[10] == 0, p[11] == 0 else { throw .malformed(format: .png, detail: "unknown compression or filter method") }
        guard p[12] <= 1 else { throw .malformed(format: .png, detail: "interlace method \(p[12])") }
        h.interlaced = p[12] == 1
        return h
    }

    /// Adam7 passes as (x0, y0, dx, dy); a non-interlaced image is the single pass (0, 0, 1, 1).
    private static func passes(_ header: Header) -> [(x0: Int, y0: Int, dx: Int, dy: Int)] {
        header.interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
    }

    private static func passSize(_ pass: (x0: Int, y0: Int, dx: Int, dy: Int), _ h: Header) -> (w: Int, h: Int) {
        let w = h.width > pass.x0 ? (h.width - pass.x0 + pass.dx - 1) / pass.dx : 0
        let hh = h.height > pass.y0 ? (h.height - pass.y0 + pass.dy - 1) / pass.dy : 0
        return (w, hh)
    }

    /// Bytes of zlib data (filter bytes included) that the passes of this image inflate to.
    private static func filteredSize(_ header: Header) -> Int {
        var total = 0
        for pass in passes(header) {
            let (w, h) = passSize(pass, header)
            if w > 0 && h > 0 { total += (header.rowBytes(width: w) + 1) * h }
        }
        return total
    }

    /// Inflates the zlib stream one row at a time, undoes the row's filter against the row above
    /// (the only earlier row a filter reads) and converts it straight into its place in the RGB
    /// output. Memory: the output, two rows and the 32 KiB DEFLATE window, never the whole stream.
    private static func decodeImageData(
        _ compressed: [UInt8], header: Header, palette: [UInt8], stop: inout StopCheck
    ) throws(ImageError) -> [UInt8] {
        guard compressed.count >= 2 else { throw .truncated(format: .png, detail: "zlib header missing") }
        let cmf = Int(compressed[0]), flg = Int(compressed[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0 else {
            throw .malformed(format: .png, detail: "bad zlib header")
        }
        guard flg & 0x20 == 0 else { throw .malformed(format: .png, detail: "zlib preset dictionary") }
        // Refuse, before allocating the output, a header the compressed bytes cannot fill.
        let expected = filteredSize(header)
        let deflateBytes = compressed.count - 2
        guard expected <= deflateBytes * InflateStream.maximumExpansion else {
            throw .dimensionsExceedData(
                format: .png, width: header.width, height: header.height, dataBytes: deflateBytes,
                detail: "\(expected) bytes of filtered rows need at least \(expected / InflateStream.maximumExpansion + 1)"
                    + " bytes of DEFLATE data, which expands at most \(InflateStream.maximumExpansion):1")
        }

        let widestRow = header.rowBytes(width: header.width) + 1
        var current = [UInt8](repeating: 0, count: widestRow)
        var previous = [UInt8](repeating: 0, count: widestRow)
        return try PixelBuffer.make(count: header.width * header.height * 3) { (rgb) throws(ImageError) in
            try compressed.withUnsafeBufferPointer { (input) throws(ImageError) in
                var stream = InflateStream(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[2...])))
                for pass in passes(header) {
                    let (w, h) = passSize(pass, header)
                    if w == 0 || h == 0 { continue }
                    let rowBytes = header.rowBytes(width: w)
                    for py in 0..<h {
                        try current.withUnsafeMutableBufferPointer { (row) throws(ImageError) in
                            let filteredRow = UnsafeMutableBufferPointer(rebasing: row[0..<(rowBytes + 1)])
                            try readRow(into: filteredRow, from: &stream, expected: expected)
                            try previous.withUnsafeBufferPointer { (above) throws(ImageError) in
                                try unfilter(filteredRow, above: py == 0 ? nil : above, stride: header.filterStride)
                            }
                            convertRow(
                                UnsafeBufferPointer(rebasing: row[1...]), width: w, y: pass.y0 + py * pass.dy,
                                x0: pass.x0, dx: pass.dx, header: header, palette: palette, into: rgb)
                        }
                        swap(&current, &previous)
                        try stop.advance(by: rowBytes)
                    }
                }
            }
        }
    }

    private static func readRow(
        into row: UnsafeMutableBufferPointer<UInt8>, from stream: inout InflateStream, expected: Int
    ) throws(ImageError) {
        let got: Int
        do { got = try stream.read(into: row) } catch {
            switch error {
            case .truncated: throw .truncated(format: .png, detail: "compressed image data ends early")
            case .malformed(let why): throw .malformed(format: .png, detail: "image data: \(why)")
            }
        }
        if got < row.count {
            throw .truncated(format: .png, detail: "image data holds \(stream.produced) of \(expected) bytes")
        }
    }

    /// Undoes one row's filter in place: `row[0]` is the filter type, `row[1...]` the bytes.
    /// `above` is the previous unfiltered row of the same pass in the same layout, nil on a pass's
    /// first row, where Up/Average/Paeth read zeros: Up becomes None and Paeth becomes Sub (its
    /// predictor is then always a).
    private static func unfilter(
        _ row: UnsafeMutableBufferPointer<UInt8>, above: UnsafeBufferPointer<UInt8>?, stride: Int
    ) throws(ImageError) {
        let filter = row[0]
        let n = row.count - 1
        let p = UnsafeMutableBufferPointer(rebasing: row[1...])
        switch (filter, above) {
        case (0, _), (2, nil):
            break
        case (1, _), (4, nil):
            if n > stride { for i in stride..<n { p[i] = p[i] &+ p[i - stride] } }
        case (2, let above?):
            for i in 0..<n { p[i] = p[i] &+ above[i + 1] }
        case (3, nil):
            if n > stride { for i in stride..<n { p[i] = p[i] &+ p[i - stride] >> 1 } }
        case (3, let above?):
            for i in 0..<n {
                let a = i >= stride ? Int(p[i - stride]) : 0
                p[i] = p[i] &+ UInt8((a + Int(above[i + 1])) >> 1)
            }
        case (4, let above?):
            for i in 0..<n {
                let b = Int(above[i + 1])
                guard i >= stride else {
                    p[i] = p[i] &+ UInt8(b)  // a = c = 0: the predictor is b
                    continue
                }
                let a = Int(p[i - stride]), c = Int(above[i + 1 - stride])
                let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
                let predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                p[i] = p[i] &+ UInt8(predictor)
            }
        default:
            throw .malformed(format: .png, detail: "row filter type \(filter)")
        }
    }

    /// Converts one unfiltered row of `width` pixels into 8-bit RGB following Pillow's conversions,
    /// writing pixel `px` at column `x0 + px * dx` of output row `y`.
    private static func convertRow(
        _ src: UnsafeBufferPointer<UInt8>, width: Int, y: Int, x0: Int, dx: Int, header: Header, palette: [UInt8],
        into dst: UnsafeMutableBufferPointer<UInt8>
    ) {
        let depth = header.bitDepth
        let maxSample = (1 << min(depth, 8)) - 1
        let rowStart = y * header.width
        for px in 0..<width {
            let d = (rowStart + x0 + px * dx) * 3
            var r = 0, g = 0, b = 0
            switch (header.colorType, depth) {
            case (0, 16):
                let v = Int(src[px * 2]) << 8 | Int(src[px * 2 + 1])
                r = min(v, 255); g = r; b = r
            case (0, _):
                let v = sample(src, index: px, depth: depth)
                r = depth == 8 ? v : v * 255 / maxSample; g = r; b = r
            case (3, _):
                let index = sample(src, index: px, depth: depth)
                if index * 3 + 2 < palette.count {
                    r = Int(palette[index * 3]); g = Int(palette[index * 3 + 1]); b = Int(palette[index * 3 + 2])
                }
            case (4, _):
                // Grey + alpha: the grey sample's most significant byte.
                r = Int(src[px * 2 * (depth / 8)]); g = r; b = r
            default:
                // RGB or RGBA, 8 or 16 bits: each colour sample's most significant byte.
                let bytesPerSample = depth / 8
                let p = px * header.channels * bytesPerSample
                r = Int(src[p]); g = Int(src[p + bytesPerSample]); b = Int(src[p + 2 * bytesPerSample])
            }
            dst[d] = UInt8(r); dst[d + 1] = UInt8(g); dst[d + 2] = UInt8(b)
        }
    }

    /// The `index`-th sample of `depth` bits (1, 2, 4 or 8) in a row, most significant bits first.
    @inline(__always) private static func sample(_ src: UnsafeBufferPointer<UInt8>, index: Int, depth: Int) -> Int {
        if depth == 8 { return Int(src[index]) }
        let bit = index * depth
        let byte = Int(src[bit / 8])
        let shift = 8 - depth - bit % 8
        return (byte >> shift) & ((1 << depth) - 1)
    }
}

/// Walks PNG chunks with bounds and CRC checks.
private struct ChunkReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    mutating func next() throws(ImageError) -> (type: String, data: Range<Int>) {
        guard position + 8 <= bytes.count else {
            throw .truncated(format: .png, detail: "file ends before IEND")
        }
        let length = readUInt32BE(bytes, position)
        guard length <= Int(Int32.max) else { throw .malformed(format: .png, detail: "chunk length \(length)") }
        let typeBytes = bytes[(position + 4)..<(position + 8)]
        guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
            throw .malformed(format: .png, detail: "invalid chunk type at offset \(position + 4)")
        }
        let type = String(decoding: typeBytes, as: UTF8.self)
        let dataStart = position + 8
        guard dataStart + length + 4 <= bytes.count else {
            throw .truncated(format: .png, detail: "\(type) chunk runs past the end of the file")
        }
        let stored = UInt32(readUInt32BE(bytes, dataStart + length))
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(position + 4)..<(dataStart + length)]))
        guard stored == computed else { throw .malformed(format: .png, detail: "CRC mismatch in \(type) chunk") }
        position = dataStart + length + 4
        return (type, dataStart..<(dataStart + length))
    }
}

@inline(__always) func readUInt32BE(_ p: UnsafeRawBufferPointer, _ at: Int) -> Int {
    Int(p[at]) << 24 | Int(p[at + 1]) << 16 | Int(p[at + 2]) << 8 | Int(p[at + 3])
}

/// CRC-32 (ISO 3309, as PNG uses it), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
