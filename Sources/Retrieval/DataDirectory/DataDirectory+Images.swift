import Foundation
import Imaging

/// Image files in a data directory and the uris rows point at them with.
///
/// Bytes the service stores live at `images/<first two hex digits of sha256>/<sha256>.<ext>`
/// (relative uris); `adaptclip index add` and admin folder ingests register files where they
/// are (absolute `file://` uris written by `FileURI`, with the path under the ingested folder
/// recorded beside them as the item's `path`, which is all clients see). A file is written before the row that points at it, so a row never points at a missing
/// file, and a crash between the two leaves only an unreferenced file behind.
extension DataDirectory {
    public var imagesDirectory: URL { root.appendingPathComponent(Self.imagesFolder) }

    public static let imagesFolder = "images"

    /// The relative uri of stored bytes with this hash and format.
    public static func imageURI(sha256: String, format: ImageFormat?) -> String {
        let fileExtension = switch format {
        case .jpeg?: "jpeg"
        case .png?: "png"
        case .webp?: "webp"
        case nil: "bin"
        }
        return shardedPath(imagesFolder, sha256: sha256, name: "\(sha256).\(fileExtension)")
    }

    /// The relative uri of stored `bytes`, their format read from their first bytes.
    public static func imageURI(sha256: String, bytes: Data) -> String {
        imageURI(sha256: sha256, format: try? ImageDecoder.format(of: bytes))
    }

    /// `<folder>/<first two hex digits of sha256>/<name>`: content-addressed files (images,
    /// thumbnails) spread over 256 folders, so that no folder grows to millions of entries.
    static func shardedPath(_ folder: String, sha256: String, name: String) -> String {
        "\(folder)/\(sha256.prefix(2))/\(name)"
    }

    /// Temp file + rename, its folder made first: the path holds all of `data` or none, and two
    /// writers of the same content both succeed.
    func writeAtomically(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// Stores `bytes` (whose SHA-256 is `sha256`) and returns their uri. Temp file + rename: the
    /// path holds all of the bytes or none. An existing file is kept (same hash, same bytes).
    public func writeImage(_ bytes: Data, sha256: String) throws -> String {
        let uri = Self.imageURI(sha256: sha256, bytes: bytes)
        let url = root.appendingPathComponent(uri)
        if !FileManager.default.fileExists(atPath: url.path) { try writeAtomically(bytes, to: url) }
        return uri
    }

    /// The file a uri names: relative uris live under the root, absolute ones (`/…` or
    /// `file:///…`, percent-decoded by `FileURI`) were registered by an operator. nil for a uri
    /// climbing out with "..", or with broken percent-encoding: such a file is never served.
    public func fileURL(forURI uri: String) -> URL? {
        let path: String
        if uri.hasPrefix("/") || uri.hasPrefix("file:") {
            guard let decoded = FileURI.path(of: uri) else { return nil }
            path = decoded
        } else {
            path = uri
        }
        guard !path.split(separator: "/").contains("..") else { return nil }
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// The bytes a uri names, when the file is readable.
    public func imageBytes(uri: String) -> Data? {
        guard let url = fileURL(forURI: uri) else { return nil }
        return FileManager.default.contents(atPath: url.path)
    }

    /// Removes the file of a uri this directory stored (an operator's files are never removed).
    public func removeStoredImage(uri: String) {
        guard uri.hasPrefix("\(Self.imagesFolder)/"), let url = fileURL(forURI: uri) else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
