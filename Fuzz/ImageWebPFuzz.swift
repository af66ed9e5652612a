// libFuzzer target over the WebP path: the evidence checks, libwebp's header reader and
// decoder, and EXIF orientation. The RIFF header ("RIFF", size, "WEBP") is filled in, so that
// mutations spend themselves on the chunks.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebPDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let riff = body.count + 4
    let bytes = Array("RIFF".utf8) + (0..<4).map { UInt8(truncatingIfNeeded: riff >> (8 * $0)) } + Array("WEBP".utf8) + body
    bytes.withUnsafeBytes { decodeAndCheck($0) }
    return 0
}
