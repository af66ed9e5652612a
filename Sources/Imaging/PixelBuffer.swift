/// Output buffers of the decoders: allocated uninitialised and filled by the decoder, so that
/// nothing zeroes the whole buffer up front and the operating system maps its pages only as
/// rows are written. Memory then grows with the image data actually decoded, not with the size
/// a header announces (an image that fails half way has touched half its buffer).
enum PixelBuffer {
    /// Called with the size of every buffer a decoder allocates, for tests that check a refusal
    /// came before any allocation or that a buffer was no larger than expected. Task-local, so
    /// concurrent decodes (and tests) never see each other's buffers.
    @TaskLocal static var allocationObserver: (@Sendable (Int) -> Void)? = nil

    /// `count` bytes that `fill` must initialise completely unless it throws.
    static func make(
        count: Int, fill: (UnsafeMutableBufferPointer<UInt8>) throws(ImageError) -> Void
    ) throws(ImageError) -> [UInt8] {
        allocationObserver?(count)
        var failure: ImageError? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ImageError) {
                try fill(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
