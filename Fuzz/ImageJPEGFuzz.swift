// libFuzzer target over the JPEG path: the marker and scan walk (JPEGLayout), the evidence
// checks, TurboJPEG's header and decoder, CMYK conversion and EXIF orientation.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEGDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = [0xFF, 0xD8, 0xFF] + Array(UnsafeBufferPointer(start: data, count: size))
    bytes.withUnsafeBytes { decodeAndCheck($0) }
    return 0
}
