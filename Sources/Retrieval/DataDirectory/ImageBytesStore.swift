import Foundation

/// Where the bytes of images the service stores live, by the relative uri the rows carry
/// (`images/<ab>/<sha256>.<ext>`, `DataDirectory.imageURI`): the data directory's files for the
/// embedded store, a table of the shared database for the PostgreSQL store (so replicas keep no
/// state of their own). Content-addressed: the same bytes give the same uri, so writing twice is
/// harmless and a uri never names different bytes.
public protocol ImageBytesStore: Sendable {
    /// Stores `bytes` (whose SHA-256 is `sha256`) before the row that points at them is written,
    /// and returns their uri.
    func writeImage(_ bytes: Data, sha256: String) throws -> String
    /// The bytes a uri names; nil when none are stored under it. Throws when the store cannot
    /// answer now (the database is unreachable): not the same as bytes that are missing.
    func imageBytes(uri: String) throws -> Data?
    /// Removes stored bytes once the row is gone (an operator's registered files are never removed).
    func removeStoredImage(uri: String)
}

extension DataDirectory: ImageBytesStore {}
