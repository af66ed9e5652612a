import Foundation

/// Thumbnails made from stored images, cached beside them so a second request is a file read:
/// `thumbnails/<first two hex digits of sha256>/<sha256>-<longest side>.jpg`. Content-addressed
/// like the image files: the same bytes give the same path, so a cached file never goes stale;
/// a thumbnail is a cache and may be removed at any time (it is made again when asked for).
extension DataDirectory {
    static let thumbnailsFolder = "thumbnails"

    /// Where the thumbnail of the image with this hash, at this longest side, is cached.
    public func thumbnailURL(sha256: String, longestSide: Int) -> URL {
        root.appendingPathComponent(Self.shardedPath(Self.thumbnailsFolder, sha256: sha256, name: "\(sha256)-\(longestSide).jpg"))
    }

    /// The cached thumbnail, when one was written.
    public func cachedThumbnail(sha256: String, longestSide: Int) -> Data? {
        FileManager.default.contents(atPath: thumbnailURL(sha256: sha256, longestSide: longestSide).path)
    }

    /// Caches `jpeg` as the thumbnail, written atomically as image files are: a reader sees the
    /// whole file or none, and two requests making the same thumbnail at once both succeed.
    public func cacheThumbnail(_ jpeg: Data, sha256: String, longestSide: Int) throws {
        try writeAtomically(jpeg, to: thumbnailURL(sha256: sha256, longestSide: longestSide))
    }

    /// Removes every cached thumbnail of the image with this hash (any size).
    func removeThumbnails(sha256: String) {
        let folder = thumbnailURL(sha256: sha256, longestSide: 0).deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix("\(sha256)-") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
