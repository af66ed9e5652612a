// A DEFLATE decoder (RFC 1951) for PNG's image data.
//
// Why not libpng: libpng reports every error by longjmp, which Swift cannot catch, and its
// simplified API composites alpha and gamma-converts 16-bit data, which Pillow does not do.
// Decoding PNG here keeps hostile files a thrown error and the pixels exactly Pillow's.
//
// Work per input byte is bounded by a constant whatever the stream holds, so that the time to
// decode is proportional to the bytes an attacker must send:
// - a block header is 3 bits; a fixed-Huffman block reuses tables built once per process
//   (`HuffmanTable.fixedLiterals`), so an empty fixed block (10 bits) costs a few operations;
// - a stored block costs its 32-bit length header plus one copy per byte it carries;
// - a dynamic block header is at least 3 + 14 + 4×3 bits plus codes for 258 or more code
//   lengths (at least two repeat codes of 8 bits and one length: 46 bits in all), and building
//   its three tables clears and fills at most 2 × (128 + 852 + 592) entries (two-level tables,
//   `HuffmanTable.Kind.capacity`): under 70 entries per input bit, against 32,768 for a single
//   15-bit level;
// - every symbol costs at most two table lookups and writes at most 258 bytes, and output stops
//   at the size the caller asked for.
// Codes are accepted exactly when zlib accepts them (complete, or a single one-bit code), so
// a stream Pillow decodes is a stream this decodes, and `scripts/fuzz-images` compares the two.

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

    /// Whether the bits now in the buffer run past the input (a lookup that failed there means
    /// the stream was cut, not that it is malformed).
    var isPastEnd: Bool { paddingBytes > 0 }
}

/// A canonical Huffman code as a two-level lookup table, as zlib's inflate builds it: the root
/// is indexed by the next `rootBits` bits (fewer if no code is that long); a code longer than
/// that continues in a sub-table the root entry links to. Two levels keep building a table
/// cheap (the root has at most 512 entries, not the 32,768 a single 15-bit level needs), which
/// matters because a dynamic block of a few bytes can ask for new tables.
///
/// Entry layout (UInt32): 0 = no code has this bit pattern; a leaf holds `symbol << 16 | length`
/// (length 1...15, the whole code's); a link holds `offset << 16 | 0x80 | subBits`.
private struct HuffmanTable: Sendable {
    enum Kind {
        case codeLengths, literals, distances

        /// zlib's root sizes: most literal/length codes are at most 9 bits, distance codes 6.
        var rootBits: Int {
            switch self {
            case .codeLengths: 7
            case .literals: 9
            case .distances: 6
            }
        }

        /// The most entries a valid code of this kind can need: zlib's ENOUGH_LENS (852) and
        /// ENOUGH_DISTS (592) for these root sizes, and 2^7 for code-length codes (7 bits at most).
        var capacity: Int {
            switch self {
            case .codeLengths: 128
            case .literals: 852
            case .distances: 592
            }
        }
    }

    private(set) var entries: [UInt32]
    private(set) var lookupBits = 1
    /// Entries the last build wrote (cleared or filled): the work `InflateStream` accounts for.
    private(set) var lastBuildWrites = 0
    private let rootBits: Int

    init(_ kind: Kind) {
        rootBits = kind.rootBits
        entries = [UInt32](repeating: 0, count: kind.capacity)
    }

    /// RFC 1951 §3.2.6: literal/lengths 0...143 have 8 bits, 144...255 9, 256...279 7, 280...287 8;
    /// all 32 distance codes 5 bits (30 and 31 are refused when decoded, as zlib does). Built once
    /// per process: `static let` initialisation is thread-safe and the tables are immutable.
    static let fixedLiterals: HuffmanTable = {
        let lengths = (0..<288).map { UInt8($0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8) }
        var table = HuffmanTable(.literals)
        lengths.withUnsafeBufferPointer { table.fill(lengths: $0, maxLength: 9) }
        return table
    }()

    static let fixedDistances: HuffmanTable = {
        let lengths = [UInt8](repeating: 5, count: 32)
        var table = HuffmanTable(.distances)
        lengths.withUnsafeBufferPointer { table.fill(lengths: $0, maxLength: 5) }
        return table
    }()

    /// Validates the code-length counts as zlib's `inflate_table` does, then fills the table.
    mutating func build(lengths: UnsafeBufferPointer<UInt8>, kind: Kind) throws(InflateError) {
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths { counts[Int(l)] += 1 }
        let maxLength = (1...15).last { counts[$0] > 0 } ?? 0
        var left = 1
        for l in 1...15 {
            left = (left << 1) - counts[l]
            if left < 0 { throw .malformed("over-subscribed Huffman code") }
        }
        // An incomplete code leaves bit patterns that decode to nothing; zlib allows that only
        // for a single one-bit literal or distance code (or no code at all, refused when used).
        if left > 0 && maxLength > 0 && (kind == .codeLengths || maxLength != 1) {
            throw .malformed("incomplete Huffman code")
        }
        fill(lengths: lengths, maxLength: maxLength)
    }

    /// Fills the table for a code that is not over-subscribed (validated, or a fixed one).
    private mutating func fill(lengths: UnsafeBufferPointer<UInt8>, maxLength: Int) {
        let lookupBits = max(1, min(rootBits, maxLength))
        self.lookupBits = lookupBits
        let rootSize = 1 << lookupBits
        var writes = rootSize
        defer { lastBuildWrites = writes }
        // Canonical codes (RFC 1951 §3.2.2): the first code of each length, then symbol order.
        var firstCode = [Int](repeating: 0, count: 16)
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths where l > 0 { counts[Int(l)] += 1 }
        var code = 0
        for l in 1...15 {
            code = (code + (l > 1 ? counts[l - 1] : 0)) << 1
            firstCode[l] = code
        }

        // Pass 1: short codes fill the root; each long code's root slot records how many more
        // bits its sub-table needs (for the longest code sharing that prefix).
        var next = firstCode
        var hasLongCodes = false
        entries.withUnsafeMutableBufferPointer { table in
            for i in 0..<rootSize { table[i] = 0 }
            for (symbol, l8) in lengths.enumerated() where l8 > 0 {
                let l = Int(l8)
                let reversed = Self.reverse(next[l], length: l)
                next[l] += 1
                if l <= lookupBits {
                    let entry = UInt32(symbol) << 16 | UInt32(l)
                    var i = reversed
                    while i < rootSize {
                        table[i] = entry
                        i += 1 << l
                    }
                    writes += 1 << (lookupBits - l)
                } else {
                    hasLongCodes = true
                    let slot = reversed & (rootSize - 1)
                    let subBits = UInt32(l - lookupBits)
                    if table[slot] & 0x0F < subBits { table[slot] = 0x80 | subBits }
                }
            }
        }
        guard hasLongCodes else { return }

        // Pass 2: place the sub-tables after the root. A valid code never needs more than the
        // kind's capacity (zlib's bound); growing instead of trusting that keeps memory safe.
        var needed = rootSize
        for slot in 0..<rootSize where entries[slot] & 0x80 != 0 {
            let subBits = Int(entries[slot] & 0x0F)
            entries[slot] |= UInt32(needed) << 16
            needed += 1 << subBits
        }
        if needed > entries.count { entries += [UInt32](repeating: 0, count: needed - entries.count) }
        writes += needed - rootSize

        // Pass 3: fill the sub-tables.
        next = firstCode
        entries.withUnsafeMutableBufferPointer { table in
            for i in rootSize..<needed { table[i] = 0 }
            for (symbol, l8) in lengths.enumerated() where l8 > 0 {
                let l = Int(l8)
                let reversed = Self.reverse(next[l], length: l)
                next[l] += 1
                guard l > lookupBits else { continue }
                let link = table[reversed & (rootSize - 1)]
                let offset = Int(link >> 16), subBits = Int(link & 0x0F)
                let entry = UInt32(symbol) << 16 | UInt32(l)
                var i = reversed >> lookupBits
                while i < 1 << subBits {
                    table[offset + i] = entry
                    i += 1 << (l - lookupBits)
                }
                writes += 1 << (subBits - (l - lookupBits))
            }
        }
    }

    @inline(__always) private static func reverse(_ code: Int, length: Int) -> Int {
        var reversed = 0
        for b in 0..<length where code & (1 << b) != 0 { reversed |= 1 << (length - 1 - b) }
        return reversed
    }

    @inline(__always) func decode(_ reader: inout BitReader) throws(InflateError) -> Int {
        let lookupBits = lookupBits
        let result = entries.withUnsafeBufferPointer { table in
            Result { () throws(InflateError) in try Self.decode(&reader, table: table, lookupBits: lookupBits) }
        }
        return try result.get()
    }

    /// The next symbol, read through `table` (the entries of a table whose root has `lookupBits`).
    @inline(__always) static func decode(
        _ reader: inout BitReader, table: UnsafeBufferPointer<UInt32>, lookupBits: Int
    ) throws(InflateError) -> Int {
        if reader.count < 15 { reader.refill() }
        let bits = reader.buffer
        var entry = table[Int(bits & UInt64((1 << lookupBits) - 1))]
        if entry & 0x80 != 0 {
            let subBits = Int(entry & 0x0F)
            entry = table[Int(entry >> 16) + Int((bits >> UInt64(lookupBits)) & UInt64((1 << subBits) - 1))]
        }
        let length = Int(entry & 0x0F)
        if length == 0 { throw reader.isPastEnd ? .truncated : .malformed("invalid Huffman code") }
        try reader.consume(length)
        return Int(entry >> 16)
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

/// A DEFLATE stream decoded on demand, so that a caller can take its output a piece at a time
/// (PNG: one row) and never hold more than the 32 KiB window DEFLATE may refer back to.
struct InflateStream {
    /// The most output one input byte can describe: a length-258 match costs at least two bits
    /// (a one-bit length code with no extra bits, a one-bit distance code), so 258 × 4 = 1,032.
    /// A stream that must produce N bytes therefore needs at least N / 1,032 bytes of input.
    static let maximumExpansion = 1032

    private enum Phase {
        case blockHeader
        case stored(remaining: Int)
        case huffman
        case finished
    }

    private var reader: BitReader
    private var phase = Phase.blockHeader
    private var isFinalBlock = false
    private var literals = HuffmanTable.fixedLiterals
    private var distances = HuffmanTable.fixedDistances
    private var dynamicLiterals = HuffmanTable(.literals)
    private var dynamicDistances = HuffmanTable(.distances)
    private var codeLengths = HuffmanTable(.codeLengths)
    /// The last 32 KiB of output, which matches copy from (`produced` indexes it modulo its size).
    private var window = [UInt8](repeating: 0, count: 1 << 15)
    /// A match cut short because the caller's buffer filled: bytes still to copy, and from how far back.
    private var pendingLength = 0
    private var pendingDistance = 0
    /// Bytes produced so far.
    private(set) var produced = 0

    /// Work done so far, for tests that bound it by counting rather than timing: blocks read,
    /// the dynamic ones among them, and Huffman table entries cleared or filled.
    private(set) var blockCount = 0
    private(set) var dynamicBlockCount = 0
    private(set) var tableEntriesWritten = 0
    /// The most table entries one dynamic block can make the decoder clear or fill: each of its
    /// three tables' entries (at most `HuffmanTable.Kind.capacity`) once cleared and once filled.
    static let maximumTableWritesPerDynamicBlock = 2 * (128 + 852 + 592)

    /// Decodes from `input`, which must stay valid while the stream is used.
    init(_ input: UnsafeRawBufferPointer) { reader = BitReader(input) }

    /// Fills `output` with the next bytes of the stream; returns how many it wrote, fewer than
    /// `output.count` only when the final block ends first. Trailing input is ignored, as zlib does.
    mutating func read(into output: UnsafeMutableBufferPointer<UInt8>) throws(InflateError) -> Int {
        var written = 0
        let capacity = output.count
        while written < capacity {
            switch phase {
            case .finished:
                return written
            case .blockHeader:
                if isFinalBlock {
                    phase = .finished
                    continue
                }
                try readBlockHeader()
            case .stored(let remaining):
                let n = min(remaining, capacity - written)
                for _ in 0..<n {
                    emit(UInt8(try reader.bits(8)), into: output, at: &written)
                }
                phase = remaining == n ? .blockHeader : .stored(remaining: remaining - n)
            case .huffman:
                try decodeSymbols(into: output, written: &written)
            }
        }
        return written
    }

    @inline(__always) private mutating func emit(_ byte: UInt8, into output: UnsafeMutableBufferPointer<UInt8>, at written: inout Int) {
        output[written] = byte
        window.withUnsafeMutableBufferPointer { $0[produced & 0x7FFF] = byte }
        written += 1
        produced += 1
    }

    private mutating func readBlockHeader() throws(InflateError) {
        blockCount += 1
        isFinalBlock = try reader.bits(1) == 1
        switch try reader.bits(2) {
        case 0:
            try reader.alignToByte()
            let length = try reader.bits(16)
            let complement = try reader.bits(16)
            if length != (~complement & 0xFFFF) { throw .malformed("stored block length check failed") }
            phase = .stored(remaining: length)
        case 1:
            literals = HuffmanTable.fixedLiterals
            distances = HuffmanTable.fixedDistances
            phase = .huffman
        case 2:
            dynamicBlockCount += 1
            try readDynamicTables()
            literals = dynamicLiterals
            distances = dynamicDistances
            phase = .huffman
        default:
            throw .malformed("invalid block type 3")
        }
    }

    private mutating func readDynamicTables() throws(InflateError) {
        let literalCount = try reader.bits(5) + 257
        let distanceCount = try reader.bits(5) + 1
        let codeLengthCount = try reader.bits(4) + 4
        if literalCount > 286 { throw .malformed("too many literal/length codes") }
        if distanceCount > 30 { throw .malformed("too many distance codes") }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = UInt8(try reader.bits(3)) }
        try codeLengthLengths.withUnsafeBufferPointer { (p) throws(InflateError) in
            try codeLengths.build(lengths: p, kind: .codeLengths)
        }
        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
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
        // Drop the references to the previous dynamic tables so building reuses their storage
        // instead of copying it.
        literals = HuffmanTable.fixedLiterals
        distances = HuffmanTable.fixedDistances
        try lengths.withUnsafeBufferPointer { (p) throws(InflateError) in
            try dynamicLiterals.build(lengths: UnsafeBufferPointer(rebasing: p[0..<literalCount]), kind: .literals)
            try dynamicDistances.build(lengths: UnsafeBufferPointer(rebasing: p[literalCount..<total]), kind: .distances)
        }
        tableEntriesWritten += codeLengths.lastBuildWrites + dynamicLiterals.lastBuildWrites + dynamicDistances.lastBuildWrites
    }

    /// Decodes literal/length symbols until the block ends or `output` is full; a match that
    /// does not fit is remembered and finished by the next call. The hot loop works on local
    /// copies of the reader, window and tables (put back at the end), so that it touches plain
    /// memory rather than the stream's properties at every byte.
    private mutating func decodeSymbols(into output: UnsafeMutableBufferPointer<UInt8>, written: inout Int) throws(InflateError) {
        var window: [UInt8] = []
        swap(&window, &self.window)
        var reader = self.reader
        var produced = self.produced
        var pendingLength = self.pendingLength, pendingDistance = self.pendingDistance
        var blockEnded = false
        defer {
            swap(&window, &self.window)
            self.reader = reader
            self.produced = produced
            self.pendingLength = pendingLength
            self.pendingDistance = pendingDistance
            if blockEnded { phase = .blockHeader }
        }
        let literals = self.literals, distances = self.distances
        let capacity = output.count
        var w = written
        defer { written = w }
        let result = window.withUnsafeMutableBufferPointer { window in
            literals.entries.withUnsafeBufferPointer { literalTable in
                distances.entries.withUnsafeBufferPointer { distanceTable in
                    Result { () throws(InflateError) in
                        while true {
                            // Finish a match (a pending one, or the one just decoded) as far as it fits.
                            let n = min(pendingLength, capacity - w)
                            for _ in 0..<n {
                                let byte = window[(produced - pendingDistance) & 0x7FFF]
                                window[produced & 0x7FFF] = byte
                                output[w] = byte
                                produced += 1
                                w += 1
                            }
                            pendingLength -= n
                            if w == capacity { return }
                            let symbol = try HuffmanTable.decode(&reader, table: literalTable, lookupBits: literals.lookupBits)
                            if symbol < 256 {
                                window[produced & 0x7FFF] = UInt8(symbol)
                                output[w] = UInt8(symbol)
                                produced += 1
                                w += 1
                                continue
                            }
                            if symbol == 256 {
                                blockEnded = true
                                return
                            }
                            let lengthIndex = symbol - 257
                            if lengthIndex >= 29 { throw .malformed("invalid length symbol \(symbol)") }
                            let length = lengthBase[lengthIndex] + (try reader.bits(lengthExtraBits[lengthIndex]))
                            let distanceSymbol = try HuffmanTable.decode(
                                &reader, table: distanceTable, lookupBits: distances.lookupBits)
                            if distanceSymbol >= 30 { throw .malformed("invalid distance symbol \(distanceSymbol)") }
                            let distance = distanceBase[distanceSymbol] + (try reader.bits(distanceExtraBits[distanceSymbol]))
                            if distance > produced { throw .malformed("distance \(distance) reaches before the start") }
                            pendingLength = length
                            pendingDistance = distance
                        }
                    }
                }
            }
        }
        try result.get()
    }
}

enum Inflate {
    /// Decodes the raw DEFLATE stream `input` into `output`, stopping at the end of the final block
    /// or as soon as `output` is full (PNG knows its exact size; trailing data is ignored, as Pillow does).
    /// Returns the number of bytes written.
    static func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(InflateError) -> Int {
        var stream = InflateStream(input)
        return try stream.read(into: output)
    }
}
