import Foundation
import Imaging

/// One encoded image to the model's input: decode the untrusted bytes under `limits`, then
/// CLIP's preprocessing. The full-size picture lives only inside this call, so what a batch
/// holds is its members' pixels, [channels · size · size] each, never their decoded photos.
struct ImagePreparation: Sendable {
    let preprocessor: CLIPImagePreprocessor
    let limits: ImageLimits

    func pixels(_ data: Data, shouldStop: @escaping @Sendable () -> Bool) throws(ImageError) -> [Float] {
        let image = try ImageDecoder.decode(data, limits: limits, shouldStop: shouldStop)
        return try preprocessor.preprocess(image, shouldStop: shouldStop)
    }
}
