import CImageCodecs
import Foundation

/// One TurboJPEG compressor handle, freed with the object: 8-bit RGB in, a baseline JPEG out.
/// Used for small derived images (thumbnails), never for anything the model reads.
final class TurboJPEGCompressor {
    private let handle: tjhandle

    init() throws(ImageError) {
        guard let handle = tjInitCompress() else {
            throw .malformed(format: .jpeg, detail: "could not create a TurboJPEG compressor")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// `image` as a JPEG of `quality` (1-100) with 4:2:0 chroma, what browsers and cameras expect.
    func compress(_ image: RGBImage, quality: Int) throws(ImageError) -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(
                handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                &output, &size, Int32(TJSAMP_420.rawValue), Int32(min(max(quality, 1), 100)), 0)
        }
        // TurboJPEG allocates the output itself (tjAlloc); it is ours to free whatever happened.
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw .malformed(format: .jpeg, detail: "encoding: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Data(bytes: output, count: Int(size))
    }
}
