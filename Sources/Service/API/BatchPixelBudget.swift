import Foundation
import Imaging

/// The pixels one `POST /v1/images:batch` may make the server decode, checked from every file's
/// header before any is decoded (`ingest.batch_max_pixels`). The route embeds its images one at
/// a time, so the engine's per-request limit (`limits.max_image_pixels_per_request`) only ever
/// sees one image: without this, a batch of `ingest.batch_max_files` images of
/// `limits.max_image_pixels` each is what one request may cost.
///
/// It counts what `limits.max_image_pixels_per_request` counts for `/v1/embeddings`: the stored
/// width × height the header announces, not the smaller size a DCT-scaled JPEG decode allocates
/// (`engine.jpeg_dct_scaling`). The work of a scaled decode still grows with the stored size
/// (every coefficient is entropy-decoded), what the decoder allocates is bounded process-wide
/// by `engine.decoding_pixels_in_flight`, and a batch's answer does not depend on that setting.
/// A file whose header cannot be read, or that is over `limits.max_image_pixels` on its own, is
/// not counted: it is refused alone, before decoding, in its own result. An image already stored
/// (which will not be decoded again) counts like any other: the answer depends on the request
/// alone, not on what the library holds.
struct BatchPixelBudget: Sendable {
    /// `ingest.batch_max_pixels`.
    let limit: Int
    /// `limits.max_image_pixels`: larger images are never decoded.
    let maxImagePixels: Int

    /// The image whose pixels took the sum past the limit.
    struct Exceeded: Error, Equatable {
        /// Its position in the batch.
        let index: Int
        let width: Int
        let height: Int
        /// The pixels of the images up to and including it.
        let total: Int
        let limit: Int
    }

    /// The pixels the images (nil: an entry that is no image) announce together; throws at the
    /// first image that takes the sum past the limit.
    @discardableResult
    func check(_ images: [Data?]) throws(Exceeded) -> Int {
        var total = 0
        for (index, data) in images.enumerated() {
            guard let data, let header = try? ImageDecoder.header(of: data) else { continue }
            let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
            guard !overflow, pixels <= maxImagePixels else { continue }
            total += pixels
            guard total <= limit else {
                throw Exceeded(index: index, width: header.width, height: header.height, total: total, limit: limit)
            }
        }
        return total
    }
}

extension BatchPixelBudget.Exceeded {
    /// 413 naming the limit, the sum and the image that crossed it (`name`: how the request
    /// names it, e.g. `file[3] ("IMG_0042.jpg")`), at `field`.
    func problem(name: String, field: String) -> APIError {
        APIError(
            status: 413, code: "batch-too-many-pixels", title: "Batch too large to decode",
            detail: "the images up to \(name), \(width) × \(height), announce \(total) pixels together; one batch may decode \(limit) (ingest.batch_max_pixels); nothing was decoded or stored",
            field: field)
    }
}
