/// Writes DEFLATE's LSB-first bit stream by hand, for streams no encoder writes: bombs made of
/// empty or tiny blocks, and codes at the edge of what zlib accepts.
struct DeflateBits {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    /// Appends the `bits` low bits of `value`, least significant first (header fields, extra bits).
    mutating func put(_ value: Int, _ bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            count -= 8
        }
    }

    /// Appends a Huffman code, which DEFLATE sends most significant bit first.
    mutating func putCode(_ code: Int, length: Int) {
        for b in stride(from: length - 1, through: 0, by: -1) { put(code >> b & 1, 1) }
    }

    /// The stream so far, the last byte padded with zero bits.
    func finished() -> [UInt8] {
        count > 0 ? bytes + [UInt8(buffer & 0xFF)] : bytes
    }

    /// A fixed-Huffman block holding nothing: header and end-of-block code, 10 bits.
    mutating func emptyFixedBlock(final: Bool = false) {
        put(final ? 1 : 0, 1)
        put(1, 2)
        putCode(0, length: 7)  // symbol 256 is 0000000 in the fixed code
    }

    /// A stored block with `data` (at most 65,535 bytes).
    mutating func storedBlock(_ data: [UInt8], final: Bool) {
        put(final ? 1 : 0, 1)
        put(0, 2)
        if count % 8 != 0 { put(0, 8 - count % 8) }
        put(data.count, 16)
        put(~data.count & 0xFFFF, 16)
        for byte in data { put(Int(byte), 8) }
    }

    /// An empty dynamic block whose literal/length code is as deep as DEFLATE allows: symbols
    /// 0...14 have lengths 1...15 and the end of block 15 (a complete code), so its table needs
    /// the full 9-bit root and a sub-table; one one-bit distance code. 179 bits.
    /// With `incompleteLiterals`, symbol 14 has no code, which leaves the code incomplete (zlib
    /// refuses that), and the block stops after its header.
    mutating func deepDynamicBlock(incompleteLiterals: Bool = false) {
        put(0, 1)
        put(2, 2)
        put(0, 5)  // 257 literal/length codes
        put(0, 5)  // 1 distance code
        put(15, 4)  // all 19 code-length code lengths follow
        // Code-length symbols 1...15 and 18 all get length 4 (16 × 1/16: complete); canonical
        // codes follow symbol order: symbol l (1...15) is l - 1, symbol 18 is 15.
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        for symbol in order { put(symbol == 16 || symbol == 17 || symbol == 0 ? 0 : 4, 3) }
        let coded = incompleteLiterals ? 14 : 15
        for length in 1...coded { putCode(length - 1, length: 4) }  // literals 0 ..< coded
        putCode(15, length: 4); put(138 - 11, 7)  // 138 zero lengths
        putCode(15, length: 4); put(256 - coded - 138 - 11, 7)  // the rest up to literal 255
        putCode(15 - 1, length: 4)  // symbol 256: length 15
        putCode(0, length: 4)  // distance 0: length 1
        if incompleteLiterals { return }
        putCode(0x7FFF, length: 15)  // the end of block: the last 15-bit code, all ones
    }
}
