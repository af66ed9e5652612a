import Foundation
import PostgresNIO
import Retrieval

/// The bytes of images the service stores, in the shared database (`image_bytes`), keyed by
/// SHA-256: what makes a replica stateless. The uris are those of the embedded store
/// (`images/<ab>/<sha256>.<ext>`), so rows mean the same under both backends.
///
/// Written before the row that points at them, as files are: a crash between the two leaves
/// only unreferenced bytes. Removed only when no item of any space still points at them.
public struct PostgresImageBytes: ImageBytesStore {
    private let pool: BlockingPostgresPool
    /// The largest image stored. Bounds one statement's memory on both sides; above any upload
    /// the service accepts (`limits.max_body_bytes`, `ingest.max_file_bytes`: 64 MiB).
    public let maxBytes: Int

    public static let defaultMaxBytes = 64 << 20

    public init(pool: BlockingPostgresPool, maxBytes: Int = Self.defaultMaxBytes) {
        self.pool = pool
        self.maxBytes = maxBytes
    }

    public func writeImage(_ bytes: Data, sha256: String) throws -> String {
        guard StoreValidation.isSHA256(sha256) else { throw StoreError.invalidArgument("sha256 must be 64 lowercase hex digits") }
        guard bytes.count <= maxBytes else {
            throw StoreError.invalidArgument("the image has \(bytes.count) bytes; the shared store keeps images of up to \(maxBytes)")
        }
        let uri = DataDirectory.imageURI(sha256: sha256, bytes: bytes)
        try pool.withConnection { connection in
            // Stored bytes are not sent again (a duplicate upload, `ImageLibrary.keepBytes`).
            guard try connection.query("SELECT 1 FROM image_bytes WHERE sha256 = \(sha256)").isEmpty else { return }
            _ = try connection.run("INSERT INTO image_bytes (sha256, bytes) VALUES (\(sha256), \(ByteBuffer(data: bytes))) ON CONFLICT DO NOTHING")
        }
        return uri
    }

    public func imageBytes(uri: String) throws -> Data? {
        guard let sha256 = Self.sha256(of: uri) else { return nil }
        let row = try pool.withConnection { connection in
            try connection.query("SELECT bytes FROM image_bytes WHERE sha256 = \(sha256)").first
        }
        guard let buffer = try row?.decode(ByteBuffer.self) else { return nil }
        return Data(buffer.readableBytesView)
    }

    public func removeStoredImage(uri: String) {
        guard let sha256 = Self.sha256(of: uri) else { return }
        // The spaces as the leading key: the (space_id, sha256) unique index answers the check,
        // where `sha256` alone would scan every item.
        _ = try? pool.withConnection { connection in
            try connection.run("""
                DELETE FROM image_bytes WHERE sha256 = \(sha256) AND NOT EXISTS (
                    SELECT 1 FROM items WHERE space_id = ANY(ARRAY(SELECT id FROM spaces)) AND sha256 = \(sha256))
                """)
        }
    }

    /// The hash a stored image's uri carries (`images/<ab>/<sha256>.<ext>`); nil for any other
    /// uri (an operator's file, which the shared store does not hold).
    static func sha256(of uri: String) -> String? {
        let parts = uri.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == DataDirectory.imagesFolder else { return nil }
        let hash = String(parts[2].prefix { $0 != "." })
        guard StoreValidation.isSHA256(hash), parts[1] == hash.prefix(2) else { return nil }
        return hash
    }
}
