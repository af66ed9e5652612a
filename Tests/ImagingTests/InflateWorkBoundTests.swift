import Foundation
import Testing
@testable import Imaging

/// DEFLATE's work is bounded per input byte: blocks that carry nothing cost (almost) nothing,
/// and counted work, never time, is what these tests check.
@Suite struct InflateWorkBoundTests {
    /// Inflates `stream` into `capacity` bytes, returning the output and the stream's counters.
    static func inflate(_ stream: [UInt8], capacity: Int) throws(InflateError) -> (output: [UInt8], stats: InflateStream) {
        var output = [UInt8](repeating: 0, count: capacity)
        let result = stream.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                Result { () throws(InflateError) in
                    var inflater = InflateStream(input)
                    let n = try inflater.read(into: out)
                    return (n, inflater)
                }
            }
        }
        let (n, inflater) = try result.get()
        return (Array(output[0..<n]), inflater)
    }

    /// All IDAT payloads of a PNG, concatenated: the zlib stream.
    static func imageData(_ png: Data) -> [UInt8] {
        let bytes = [UInt8](png)
        var stream: [UInt8] = []
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if bytes[(i + 4)..<(i + 8)].elementsEqual("IDAT".utf8) { stream += bytes[(i + 8)..<(i + 8 + length)] }
            i += 12 + length
        }
        return stream
    }

    /// Inflates `stream` in successive reads whose sizes come from `sizes` (cycled), until a
    /// read comes back short; returns everything read.
    static func inflateInPieces(_ stream: [UInt8], sizes: [Int]) throws(InflateError) -> [UInt8] {
        let result = stream.withUnsafeBytes { input in
            Result { () throws(InflateError) in
                var inflater = InflateStream(input)
                var all: [UInt8] = []
                for k in 0... {
                    var piece = [UInt8](repeating: 0, count: sizes[k % sizes.count])
                    let n = try piece.withUnsafeMutableBufferPointer { (out) throws(InflateError) in try inflater.read(into: out) }
                    all += piece[0..<n]
                    if n < piece.count { return all }
                }
                return all
            }
        }
        return try result.get()
    }

    @Test func emptyFixedBlocksReuseTheFixedTables() throws {
        // 800,000 empty fixed blocks (~1 MB), then the data in a stored block.
        var bits = DeflateBits()
        for _ in 0..<800_000 { bits.emptyFixedBlock() }
        bits.storedBlock([0, 7], final: true)
        let stream = bits.finished()
        let (output, stats) = try Self.inflate(stream, capacity: 2)
        #expect(output == [0, 7])
        #expect(stats.blockCount == 800_001)
        #expect(stats.tableEntriesWritten == 0)
    }

    @Test func emptyFixedBlockBombInAOnePixelPNGDecodes() throws {
        var bits = DeflateBits()
        for _ in 0..<800_000 { bits.emptyFixedBlock() }
        bits.storedBlock([0, 7], final: true)
        let png = TinyPNG.file(width: 1, height: 1, bitDepth: 8, colorType: 0, zlib: [0x78, 0x01] + bits.finished() + [0, 0, 0, 0])
        #expect(png.count > 1_000_000)
        #expect(try ImageDecoder.decode(png).pixels == [7, 7, 7])
    }

    @Test func tinyDynamicBlocksBuildTablesOfBoundedSize() throws {
        // 2,000 empty dynamic blocks of 179 bits, each asking for the deepest literal code.
        var bits = DeflateBits()
        for _ in 0..<2000 { bits.deepDynamicBlock() }
        bits.storedBlock([42], final: true)
        let stream = bits.finished()
        let (output, stats) = try Self.inflate(stream, capacity: 1)
        #expect(output == [42])
        #expect(stats.dynamicBlockCount == 2000)
        let perBlock = stats.tableEntriesWritten / stats.dynamicBlockCount
        print("deep dynamic blocks: \(perBlock) table entries each, \(stats.tableEntriesWritten / stream.count) per input byte")
        #expect(stats.tableEntriesWritten <= stats.dynamicBlockCount * InflateStream.maximumTableWritesPerDynamicBlock)
        // A single-level 15-bit table would clear and fill 65,536 entries per block.
        #expect(stats.tableEntriesWritten <= 70 * 8 * stream.count)
    }

    @Test func incompleteLiteralCodeIsRefusedLikeZlib() {
        var bits = DeflateBits()
        bits.deepDynamicBlock(incompleteLiterals: true)
        #expect(throws: InflateError.malformed("incomplete Huffman code")) {
            try Self.inflate(bits.finished() + [0, 0, 0, 0], capacity: 1)
        }
    }

    @Test func matchesCutByTheOutputBufferResumeOnTheNextRead() throws {
        // Literal 9 then one length-258 match at distance 1 (fixed code), read in pieces of 7.
        var bits = DeflateBits()
        bits.put(1, 1); bits.put(1, 2)
        bits.putCode(0x30 + 9, length: 8)  // literal 9
        bits.putCode(0xC5, length: 8)  // symbol 285: length 258
        bits.putCode(0, length: 5)  // distance 1
        bits.putCode(0, length: 7)  // end of block
        let pieces = try Self.inflateInPieces(bits.finished(), sizes: [7])
        #expect(pieces == [UInt8](repeating: 9, count: 259))
    }

    @Test func pieceByPieceEqualsWholeOnRealPNGData() throws {
        for file in ["png_rgb_256x192.png", "png_interlaced_rgb_97x61.png", "png_palette_190x100.png"] {
            let data = try ImageFixtures.bytes(file)
            let stream = [UInt8](Self.imageData(data).dropFirst(2))
            let whole = try Self.inflate(stream, capacity: 1 << 20).output
            let pieces = try Self.inflateInPieces(stream, sizes: Array(stride(from: 1, to: 300, by: 17)))
            #expect(pieces == whole, "\(file)")
            #expect(!whole.isEmpty)
        }
    }
}
