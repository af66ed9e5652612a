import Engine
import Foundation
import HTTPServer
import Imaging
import Retrieval

/// `GET /v1/images/{id}/thumbnail`: a small JPEG of a stored image (longest side
/// `page.thumbnail_size`), made once with the engine's bounded image work and then read from
/// the data directory's thumbnail cache.
enum ThumbnailRoute {
    /// The thumbnail of an id never changes while the item exists (ids are not reused and the
    /// bytes are content-addressed); a day keeps a changed `page.thumbnail_size` from lingering.
    static let cacheControl = "private, max-age=86400"

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let collection = try context.requireCollection()
        let item = try ImagesRoutes.item(http, context)
        let size = context.configuration.thumbnailSize
        let etag = "\"\(item.sha256)-\(size)\""
        let headers: HTTPHeaders = ["Content-Type": "image/jpeg"]
        if CachedResponse.matches(http.headers["If-None-Match"], etag) {
            return CachedResponse.answer(http, body: [], etag: etag, cacheControl: cacheControl, headers: headers)
        }
        let directory = collection.directory
        if let cached = directory.cachedThumbnail(sha256: item.sha256, longestSide: size) {
            return CachedResponse.answer(http, body: Array(cached), etag: etag, cacheControl: cacheControl, headers: headers)
        }
        guard let bytes = try collection.bytes(of: item) else { throw ImagesRoutes.contentMissing(item) }
        let thumbnail: ThumbnailMaker.Thumbnail
        do {
            thumbnail = try await context.engine.thumbnail(bytes, longestSide: size, deadline: context.deadline())
        } catch {
            // The image's refusals (format, pixels, deadline) name the item's id, the only input.
            throw APIError.from(error, imageField: { _ in "id" }) ?? error
        }
        do {
            try directory.cacheThumbnail(thumbnail.jpeg, sha256: item.sha256, longestSide: size)
        } catch {
            // The answer does not depend on the cache: serve it and make it again next time.
            context.logger.warning("thumbnail not cached", metadata: ["id": "\(item.id)", "error": "\(LogText.bounded(error))"])
        }
        return CachedResponse.answer(http, body: Array(thumbnail.jpeg), etag: etag, cacheControl: cacheControl, headers: headers)
    }
}
