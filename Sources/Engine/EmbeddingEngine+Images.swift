import Foundation
import Imaging

extension EmbeddingEngine {
    /// Embeds encoded images (JPEG, PNG, WebP) with the domain adapter active now (one lease
    /// for the whole call). A bad image fails the call with its index.
    public func embedImages(_ images: [Data], deadline: ContinuousClock.Instant) async throws -> [[Float]] {
        try await embedImages(images, domain: domainAdapters.lease(), deadline: deadline)
    }

    /// The same with a domain adapter lease the caller took (nil: the frozen encoders): the
    /// vectors are in `imageSpaceAdapterID(domain)`'s space whatever is activated meanwhile.
    ///
    /// The headers are read first and their pixels charged to `maxImagePixelsPerRequest`, so an
    /// over-budget request is refused before anything is decoded. Then each image is decoded and
    /// preprocessed on the request-work pool, within the process-wide decoding budget (charged
    /// what the decode allocates: a DCT-scaled JPEG's reduced size), and joins a model batch as
    /// pixels; the first failure cancels the others' preparation work. All images are in flight
    /// at once, so while the model runs one batch the pool decodes the next images.
    public func embedImages(_ images: [Data], domain: DomainLease?, deadline: ContinuousClock.Instant) async throws -> [[Float]] {
        let headers = try await requestWork.run(deadline: deadline) { _ in try self.chargeHeaders(images) }
        return try await withThrowingTaskGroup(of: IndexedVector.self) { group in
            for (index, data) in images.enumerated() {
                group.addTask {
                    let decoded = self.imagePreparation.decodedPixels(headers[index])
                    let pixels = try await self.decodingBudget.withPixels(decoded, deadline: deadline) {
                        try await self.preparePixels(data, index: index, deadline: deadline)
                    }
                    let vector = try await self.imageBatcher.submit(DomainJob(pixels, domain: domain), deadline: deadline)
                    return IndexedVector(index: index, vector: vector)
                }
            }
            var out = [[Float]](repeating: [], count: images.count)
            for try await item in group { out[item.index] = item.vector }
            return out
        }
    }

    /// Each image's header; throws when one is unreadable or when the pixels they announce
    /// together exceed `maxImagePixelsPerRequest` (the stored sizes: decoding work grows with
    /// them even when a JPEG is decoded DCT-scaled).
    func chargeHeaders(_ images: [Data]) throws(EngineError) -> [ImageHeader] {
        var total = 0
        var headers: [ImageHeader] = []
        for (index, data) in images.enumerated() {
            let header: ImageHeader
            do { header = try ImageDecoder.header(of: data) } catch { throw .image(index: index, error) }
            let count = header.width.multipliedReportingOverflow(by: header.height)
            total = count.overflow ? .max : total.addingReportingOverflow(count.partialValue).partialValue
            guard total <= maxImagePixelsPerRequest else {
                throw .imagePixelBudget(index: index, pixels: total, limit: maxImagePixelsPerRequest)
            }
            headers.append(header)
        }
        return headers
    }

    /// One image's model input, with the same header check and decoding budget as `embedImages`
    /// (for passes that need pixels rather than an embedding, like structured prompts).
    func budgetedPixels(_ data: Data, deadline: ContinuousClock.Instant) async throws -> [Float] {
        let headers = try await requestWork.run(deadline: deadline) { _ in try self.chargeHeaders([data]) }
        return try await decodingBudget.withPixels(imagePreparation.decodedPixels(headers[0]), deadline: deadline) {
            try await self.preparePixels(data, index: 0, deadline: deadline)
        }
    }

    /// Image `index` of a request decoded and preprocessed on the request-work pool: the model's
    /// input for it. A refusal is `EngineError.image(index:)`.
    func preparePixels(_ data: Data, index: Int, deadline: ContinuousClock.Instant) async throws -> [Float] {
        let imagePreparation = self.imagePreparation
        return try await self.requestWork.run(deadline: deadline) { shouldStop in
            do throws(ImageError) {
                return try imagePreparation.pixels(data, shouldStop: shouldStop)
            } catch {
                throw EngineError.image(index: index, error)
            }
        }
    }
}

/// A task group's result that carries its input's position (a plain struct: see the embed
/// command for why not a tuple with a `Result`).
struct IndexedVector: Sendable {
    let index: Int
    let vector: [Float]
}
