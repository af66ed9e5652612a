// A DEFLATE decoder (RFC 1951) for PNG's image data.
//
// Why not libpng: libpng reports every error by longjmp, which Swift cannot catch, and its
// simplified API composites alpha and gamma-converts 16-bit data, which Pillow does not do.
// Decoding PNG here keeps hostile files a thrown error and the pixels exactly Pillow's.

/// Why a DEFLATE stream could not be decoded.
enum InflateError: Error, Equatable {
    case truncated
    case malformed(String)
}

/// Reads DEFLATE's LSB-first bit stream. Past the end it supplies zero bytes but remembers how many,
/// so that consuming one of them is reported as truncation instead of reading out of bounds.
private struct BitReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var buffer: UInt64 = 0
    var count = 0
    var paddingBytes = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) mutating func refill() {
        while count <= 56 {
            var byte: UInt8 = 0
            if position < bytes.count { byte = bytes[position] } else { paddingBytes += 1 }
            position += 1
            buffer |= UInt64(byte) << UInt64(count)
            count += 8
        }
    }

    @inline(__always) mutating func consume(_ n: Int) throws(InflateError) {
        buffer >>= UInt64(n)
        count -= n
        if paddingBytes > 0 && count < paddingBytes * 8 { throw .truncated }
    }

    @inline(__always) mutating func bits(_ n: Int) throws(InflateError) -> Int {
        if count < n { refill() }
        let value = Int(buffer & ((1 << UInt64(n)) - 1))
        try consume(n)
        return value
    }

    /// Drops the bits up to the next byte boundary (stored blocks start there).
    mutating func alignToByte() throws(InflateError) {
        try consume(count % 8)
    }
}

/// A canonical Huffman code as one lookup table indexed by the next `maxLength` bits.
/// Each entry is `symbol << 4 | codeLength`; length 0 marks a bit pattern no code uses.
private struct HuffmanTable {
    var entries: [UInt16]
    var maxLength = 0

    init() { entries = [UInt16](repeating: 0, count: 1 << 15) }

    mutating func build(lengths: UnsafeBufferPointer<UInt8>) throws(InflateError) {
        var countPerLength = [Int](repeating: 0, count: 16)
        for l in lengths { countPerLength[Int(l)] += 1 }
        countPerLength[0] = 0
        var left = 1
        for l in 1...15 {
            left = (left << 1) - countPerLength[l]
            if left < 0 { throw .malformed("over-subscribed Huffman code") }
        }
        maxLength = (1...15).last { countPerLength[$0] > 0 } ?? 1
        let size = 1 << maxLength
        entries.withUnsafeMutableBufferPointer { table in
            for i in 0..<size { table[i] = 0 }
            var nextCode = [Int](repeating: 0, count: 16)
            var code = 0
            for l in 1...15 {
                code = (code + countPerLength[l - 1]) << 1
                nextCode[l] = code
            }
            for (symbol, l8) in lengths.enumerated() where l8 > 0 {
                let l = Int(l8)
                let c = nextCode[l]
                nextCode[l] += 1
                var reversed = 0
                for b in 0..<l where c & (1 << b) != 0 { reversed |= 1 << (l - 1 - b) }
                let entry = UInt16(symbol << 4 | l)
                var i = reversed
                while i < size {
                    table[i] = entry
                    i += 1 << l
                }
            }
        }
    }

    @inline(__always) func decode(_ reader: inout BitReader) throws(InflateError) -> Int {
        if reader.count < maxLength { reader.refill() }
        let entry = entries.withUnsafeBufferPointer { $0[Int(reader.buffer & UInt64((1 << maxLength) - 1))] }
        let length = Int(entry & 15)
        if length == 0 { throw .malformed("invalid Huffman code") }
        try reader.consume(length)
        return Int(entry >> 4)
    }
}

private let lengthBase: [Int] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]
private let lengthExtraBits: [Int] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]
private let distanceBase: [Int] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
    4097, 6145, 8193, 12289, 16385, 24577,
]
private let distanceExtraBits: [Int] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]
/// The order in which code-length code lengths are stored (RFC 1951 §3.2.7).
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

enum Inflate {
    /// Decodes the raw DEFLATE stream `input` into `output`, stopping at the end of the final block
    /// or as soon as `output` is full (PNG knows its exact size; trailing data is ignored, as Pillow does).
    /// Returns the number of bytes written.
    static func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(InflateError) -> Int {
        var reader = BitReader(input)
        var literals = HuffmanTable()
        var distances = HuffmanTable()
        var codeLengths = HuffmanTable()
        var lengths = [UInt8](repeating: 0, count: 320)
        var written = 0
        let capacity = output.count
        if capacity == 0 { return 0 }

        while true {
            let isFinal = try reader.bits(1) == 1
            let type = try reader.bits(2)
            switch type {
            case 0:
                try reader.alignToByte()
                let length = try reader.bits(16)
                let complement = try reader.bits(16)
                if length != (~complement & 0xFFFF) { throw .malformed("stored block length check failed") }
                for _ in 0..<length {
                    let byte = try reader.bits(8)
                    output[written] = UInt8(byte)
                    written += 1
                    if written == capacity { return written }
                }
            case 1:
                for i in 0..<288 { lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8 }
                try lengths.withUnsafeBufferPointer { (p) throws(InflateError) in
                    try literals.build(lengths: UnsafeBufferPointer(rebasing: p[0..<288]))
                }
                for i in 0..<30 { lengths[i] = 5 }
                try lengths.withUnsafeBufferPointer { (p) throws(InflateError) in
                    try distances.build(lengths: UnsafeBufferPointer(rebasing: p[0..<30]))
                }
            case 2:
                let literalCount = try reader.bits(5) + 257
                let distanceCount = try reader.bits(5) + 1
                let codeLengthCount = try reader.bits(4) + 4
                if literalCount > 286 { throw .malformed("too many literal/length codes") }
                if distanceCount > 30 { throw .malformed("too many distance codes") }
                var codeLengthLengths = [UInt8](repeating: 0, count: 19)
                for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = UInt8(try reader.bits(3)) }
                try codeLengthLengths.withUnsafeBufferPointer { (p) throws(InflateError) in
                    try codeLengths.build(lengths: p)
                }
                let total = literalCount + distanceCount
                var i = 0
                while i < total {
                    let symbol = try codeLengths.decode(&reader)
                    if symbol < 16 {
                        lengths[i] = UInt8(symbol)
                        i += 1
                        continue
                    }
                    var repeated: UInt8 = 0
                    var times: Int
                    switch symbol {
                    case 16:
                        if i == 0 { throw .malformed("repeat of a code length with none before it") }
                        repeated = lengths[i - 1]
                        times = 3 + (try reader.bits(2))
                    case 17: times = 3 + (try reader.bits(3))
                    default: times = 11 + (try reader.bits(7))
                    }
                    if i + times > total { throw .malformed("code lengths overflow their table") }
                    for _ in 0..<times {
                        lengths[i] = repeated
                        i += 1
                    }
                }
                if lengths[256] == 0 { throw .malformed("no end-of-block code") }
                try lengths.withUnsafeBufferPointer { (p) throws(InflateError) in
                    try literals.build(lengths: UnsafeBufferPointer(rebasing: p[0..<literalCount]))
                    try distances.build(lengths: UnsafeBufferPointer(rebasing: p[literalCount..<total]))
                }
            default:
                throw .malformed("invalid block type 3")
            }

            if type != 0 {
                blockLoop: while true {
                    let symbol = try literals.decode(&reader)
                    if symbol < 256 {
                        output[written] = UInt8(symbol)
                        written += 1
                        if written == capacity { return written }
                        continue
                    }
                    if symbol == 256 { break blockLoop }
                    let lengthIndex = symbol - 257
                    if lengthIndex >= 29 { throw .malformed("invalid length symbol \(symbol)") }
                    let length = lengthBase[lengthIndex] + (try reader.bits(lengthExtraBits[lengthIndex]))
                    let distanceSymbol = try distances.decode(&reader)
                    if distanceSymbol >= 30 { throw .malformed("invalid distance symbol \(distanceSymbol)") }
                    let distance = distanceBase[distanceSymbol] + (try reader.bits(distanceExtraBits[distanceSymbol]))
                    if distance > written { throw .malformed("distance \(distance) reaches before the start") }
                    let n = min(length, capacity - written)
                    var from = written - distance
                    for _ in 0..<n {
                        output[written] = output[from]
                        written += 1
                        from += 1
                    }
                    if written == capacity { return written }
                }
            }
            if isFinal { return written }
        }
    }
}
