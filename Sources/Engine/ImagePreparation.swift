import Foundation
import Imaging

/// One encoded image to the model's input: decode the untrusted bytes under `limits`, then
/// CLIP's preprocessing. The full-size picture lives only inside this call, so what a batch
/// holds is its members' pixels, [channels · size · size] each, never their decoded photos.
struct ImagePreparation: Sendable {
    let preprocessor: CLIPImagePreprocessor
    let limits: ImageLimits

    /// The pixels decoding the image behind `header` allocates under `limits`, to charge to the
    /// decoding budget (the DCT-scaled size of a JPEG when scaling is on).
    func decodedPixels(_ header: ImageHeader) -> Int {
        header.decodedPixelCount(floor: limits.scaledDecodeFloor)
    }

    func pixels(_ data: Data, shouldStop: @escaping @Sendable () -> Bool) throws(ImageError) -> [Float] {
        let image = try ImageDecoder.decode(data, limits: limits, shouldStop: shouldStop)
        return try preprocessor.preprocess(image, shouldStop: shouldStop)
    }
}
