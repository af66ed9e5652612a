import Foundation
import Imaging

extension EmbeddingEngine {
    /// A thumbnail of an encoded image (`ThumbnailMaker`), bounded as an image to embed is: the
    /// header is read and charged to `maxImagePixelsPerRequest` first, then the decode, resize
    /// and encode run on the request-work pool within the process-wide decoding budget and the
    /// service's image limits, stopping at `deadline`. A refusal is `EngineError.image(index: 0)`.
    public func thumbnail(_ data: Data, longestSide: Int, deadline: ContinuousClock.Instant) async throws -> ThumbnailMaker.Thumbnail {
        let headers = try await requestWork.run(deadline: deadline) { _ in try self.chargeHeaders([data]) }
        let limits = imagePreparation.limits
        let decoded = headers[0].decodedPixelCount(floor: ThumbnailMaker.scaledDecodeFloor(longestSide: longestSide))
        return try await decodingBudget.withPixels(decoded, deadline: deadline) {
            try await self.requestWork.run(deadline: deadline) { shouldStop in
                do throws(ImageError) {
                    return try ThumbnailMaker.make(data, longestSide: longestSide, limits: limits, shouldStop: shouldStop)
                } catch {
                    throw EngineError.image(index: 0, error)
                }
            }
        }
    }
}
