/// Turns an `RGBImage` into CLIP's pixel tensor exactly as transformers' `CLIPImageProcessor`
/// (4.57.6, slow/PIL path) does: resize (shortest edge, `get_resize_output_image_size`: long side
/// `int(short_target * long / short)`, truncated) with Pillow's bicubic filter, centre crop
/// (`image_transforms.center_crop`: offsets `(size - crop) // 2`, zero padding centred with `ceil`
/// when the crop is larger), rescale (×`rescale_factor` in float64, then float32), normalise
/// (`(x - mean) / std` in float32). Output: CHW float32 `[3, H, W]`.
///
/// Immutable and `Sendable`: one instance serves every request concurrently. The per-pixel work
/// is two fixed-point resampling passes over the crop window only, then a table lookup.
public struct CLIPImagePreprocessor: Sendable {
    public let config: CLIPPreprocessorConfig
    /// `normalized[c * 256 + v]` is the output value for byte `v` in channel `c`.
    private let normalized: [Float]

    public init(config: CLIPPreprocessorConfig = CLIPPreprocessorConfig()) {
        self.config = config
        var table = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 {
                var x = config.doRescale ? Float(Double(v) * config.rescaleFactor) : Float(v)
                if config.doNormalize { x = (x - config.imageMean[c]) / config.imageStd[c] }
                table[c * 256 + v] = x
            }
        }
        normalized = table
    }

    /// The resized size (height, width) before cropping, as transformers computes it.
    public func resizedSize(width: Int, height: Int) -> (height: Int, width: Int) {
        guard config.doResize else { return (height, width) }
        switch config.size {
        case .fixed(let h, let w):
            return (h, w)
        case .shortestEdge(let target):
            let short = min(width, height), long = max(width, height)
            let newLong = Int(Double(target * long) / Double(short))
            return width <= height ? (newLong, target) : (target, newLong)
        }
    }

    /// The floor for `ImageLimits.scaledDecodeFloor`: a scaled decode at least `margin` times the
    /// size this preprocessor resizes to (1: exactly what the resize needs, so it still only
    /// shrinks); nil when it does not resize (every decoded pixel then reaches the tensor, so
    /// nothing may be scaled).
    public func scaledDecodeFloor(margin: Int = 1) -> ScaledDecodeFloor? {
        guard config.doResize else { return nil }
        switch config.size {
        case .shortestEdge(let target): return .shortestEdge(margin * target)
        case .fixed(let h, let w): return .upright(width: margin * w, height: margin * h)
        }
    }

    /// The tensor's (height, width) for an input of this size.
    public func outputSize(width: Int, height: Int) -> (height: Int, width: Int) {
        config.doCenterCrop ? (config.cropHeight, config.cropWidth) : resizedSize(width: width, height: height)
    }

    /// `[3, H, W]` float32, channel-major.
    public func preprocess(_ image: RGBImage) -> [Float] {
        let (h, w) = outputSize(width: image.width, height: image.height)
        var out = [Float](repeating: 0, count: 3 * h * w)
        var stop = StopCheck(nil)
        // Without a stop request nothing can throw.
        try? out.withUnsafeMutableBufferPointer { (buffer) throws(ImageError) in try write(image, into: buffer, stop: &stop) }
        return out
    }

    /// `preprocess(_:)` that asks `shouldStop` between the resampling passes and between rows of
    /// each, throwing `ImageError.cancelled` when it says stop.
    public func preprocess(_ image: RGBImage, shouldStop: (@Sendable () -> Bool)?) throws(ImageError) -> [Float] {
        let (h, w) = outputSize(width: image.width, height: image.height)
        var out = [Float](repeating: 0, count: 3 * h * w)
        var stop = StopCheck(shouldStop)
        try out.withUnsafeMutableBufferPointer { (buffer) throws(ImageError) in try write(image, into: buffer, stop: &stop) }
        return out
    }

    /// Writes `[3, H, W]` into `buffer` (which must hold at least `3 * H * W` floats), asking
    /// `shouldStop` at the same points as `preprocess(_:shouldStop:)`.
    public func preprocess(
        _ image: RGBImage, into buffer: UnsafeMutableBufferPointer<Float>, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ImageError) {
        let (h, w) = outputSize(width: image.width, height: image.height)
        guard buffer.count >= 3 * h * w else { throw .outputBufferTooSmall(needed: 3 * h * w, actual: buffer.count) }
        var stop = StopCheck(shouldStop)
        try write(image, into: buffer, stop: &stop)
    }

    /// One contiguous `[N, 3, H, W]` buffer. Every image must yield the same H×W (always true with
    /// centre cropping); otherwise this throws. `shouldStop` is asked between images and within
    /// each as in `preprocess(_:shouldStop:)`.
    public func preprocessBatch(
        _ images: [RGBImage], shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ImageError) -> [Float] {
        guard let first = images.first else { return [] }
        let (h, w) = outputSize(width: first.width, height: first.height)
        let stride = 3 * h * w
        for image in images {
            let size = outputSize(width: image.width, height: image.height)
            guard size == (h, w) else {
                throw .invalidPreprocessorConfig(
                    "batch mixes tensor sizes \(h)x\(w) and \(size.height)x\(size.width); enable do_center_crop")
            }
        }
        var out = [Float](repeating: 0, count: images.count * stride)
        var stop = StopCheck(shouldStop)
        try out.withUnsafeMutableBufferPointer { (all) throws(ImageError) in
            for (n, image) in images.enumerated() {
                try stop.now()
                try write(image, into: UnsafeMutableBufferPointer(rebasing: all[(n * stride)..<((n + 1) * stride)]), stop: &stop)
            }
        }
        return out
    }

    /// Where crop pixel `i` of an axis comes from in the resized axis: `i + offset`, valid when inside
    /// `0 ..< resized`. Mirrors center_crop: `top = (resized - crop) // 2`, and when the crop is larger
    /// the image is first padded by `ceil((crop - resized) / 2)` before that.
    private static func cropOffset(resized: Int, crop: Int) -> Int {
        crop <= resized ? (resized - crop) / 2 : -((crop - resized + 1) / 2)
    }

    // image: [H0, W0, 3] uint8 -> buffer: [3, H, W] float32
    private func write(
        _ image: RGBImage, into buffer: UnsafeMutableBufferPointer<Float>, stop: inout StopCheck
    ) throws(ImageError) {
        let (resizedHeight, resizedWidth) = resizedSize(width: image.width, height: image.height)
        let (h, w) = outputSize(width: image.width, height: image.height)
        let dy = config.doCenterCrop ? Self.cropOffset(resized: resizedHeight, crop: h) : 0
        let dx = config.doCenterCrop ? Self.cropOffset(resized: resizedWidth, crop: w) : 0
        // The part of the crop that lies on the resized image; the rest is zero padding.
        let rows = max(0, dy)..<min(resizedHeight, dy + h)
        let columns = max(0, dx)..<min(resizedWidth, dx + w)
        let window = try BicubicResampler.resize(
            image, outWidth: resizedWidth, outHeight: resizedHeight, columns: columns, rows: rows, stop: &stop)
        try stop.now()
        let plane = h * w
        // Crop columns [imageStart, imageEnd) come from the resized image; the others are padding.
        let imageStart = columns.lowerBound - dx, imageEnd = columns.upperBound - dx
        let windowRowBytes = columns.count * 3
        normalized.withUnsafeBufferPointer { table in
            window.withUnsafeBufferPointer { src in
                for c in 0..<3 {
                    let lut = UnsafeBufferPointer(rebasing: table[(c * 256)..<(c * 256 + 256)])
                    let padding = lut[0]
                    for y in 0..<h {
                        let sy = y + dy
                        let rowOut = c * plane + y * w
                        guard rows.contains(sy) else {
                            for x in 0..<w { buffer[rowOut + x] = padding }
                            continue
                        }
                        for x in 0..<imageStart { buffer[rowOut + x] = padding }
                        var p = (sy - rows.lowerBound) * windowRowBytes + c
                        for x in imageStart..<imageEnd {
                            buffer[rowOut + x] = lut[Int(src[p])]
                            p += 3
                        }
                        for x in imageEnd..<w { buffer[rowOut + x] = padding }
                    }
                }
            }
        }
    }
}
