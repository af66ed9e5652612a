// Shared by the image fuzz targets (scripts/fuzz-images), compiled into each of them together
// with Sources/Imaging/*.swift, so internal API is visible without an import.
import Glibc

/// Small limits so that every input is cheap and every limit branch is reachable with short inputs.
let fuzzLimits = ImageLimits(
    maxPixels: 1 << 20, maxJPEGScans: 40, maxWebPPixelsPerByte: 4096, webPPixelsFreeOfRatio: 1 << 14)

/// Decodes `bytes`, and when that succeeds checks what must then hold: the buffer matches the
/// size, `header(bytes:)` agrees on the pixel count (orientation may swap the axes), and a stop
/// request that never says stop changes nothing. A violation traps, which libFuzzer records
/// with its input.
func decodeAndCheck(_ bytes: UnsafeRawBufferPointer) {
    let image: RGBImage
    do { image = try ImageDecoder.decode(bytes: bytes, limits: fuzzLimits) } catch { return }
    guard image.pixels.count == image.width * image.height * 3 else {
        fail("decoded buffer of \(image.pixels.count) bytes for \(image.width)x\(image.height)")
    }
    do {
        let header = try ImageDecoder.header(bytes: bytes)
        guard header.pixelCount == image.width * image.height else {
            fail("header says \(header.width)x\(header.height), decoded \(image.width)x\(image.height)")
        }
    } catch {
        fail("decoded, but header(bytes:) refused: \(error)")
    }
    let listening = try? ImageDecoder.decode(bytes: bytes, limits: fuzzLimits, shouldStop: { false })
    guard listening == image else { fail("a stop request that never stops changed the result") }
}

/// Reports on stderr (unbuffered, so the message survives the abort) and aborts.
func fail(_ message: String) -> Never {
    fputs(message + "\n", stderr)
    abort()
}
