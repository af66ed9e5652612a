// libFuzzer target over the PNG decoder (chunks, DEFLATE, filters, Adam7, conversion to RGB).
// Every chunk's CRC is rewritten before decoding, so mutations reach the decoder instead of
// stopping at the checksum.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNGDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(UnsafeBufferPointer(start: data, count: size))
    var i = 8
    while i + 12 <= bytes.count {
        let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        guard i + 12 + length <= bytes.count else { break }
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(i + 4)..<(i + 8 + length)])) }
        for k in 0..<4 { bytes[i + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
        i += 12 + length
    }
    bytes.withUnsafeBytes { decodeAndCheck($0) }
    return 0
}
