import Foundation
import JSON

/// Item metadata is a JSON object stored as text in `items.metadata`, with sorted keys so the
/// same metadata is always the same text (the PostgreSQL backend sends the same text as jsonb).
public enum StoredMetadata {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static func text(_ object: [String: JSONValue]) throws -> String {
        String(decoding: try encoder.encode(object), as: UTF8.self)
    }

    /// The stored object; text this store did not write (edited by hand) reads as no metadata.
    public static func object(_ text: String) -> [String: JSONValue] {
        (try? JSONValue.parse(text.utf8))?.object ?? [:]
    }
}
