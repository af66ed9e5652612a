import Foundation
import JSON
import PostgresNIO
import Retrieval

/// The item columns every read selects, and how a row becomes a `StoredItem`. Timestamps are
/// rendered like the embedded store's (`2026-01-02T03:04:05.678Z`), so both backends show the same.
enum PostgresItemRows {
    static func columns(_ table: String) -> String {
        "\(table).id, \(table).uri, \(table).path, \(table).sha256, \(table).width, \(table).height, \(table).caption, "
            + "\(table).metadata::text, to_char(\(table).created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The first nine columns of `row` (`columns(_:)`), as a stored item.
    static func item(_ row: PostgresRow) throws -> StoredItem {
        let cells = row.makeRandomAccess()
        return StoredItem(
            id: try cells[0].decode(Int64.self), uri: try cells[1].decode(String.self), path: try cells[2].decode(String?.self),
            sha256: try cells[3].decode(String.self), width: try cells[4].decode(Int32?.self).map(Int.init),
            height: try cells[5].decode(Int32?.self).map(Int.init), caption: try cells[6].decode(String?.self),
            metadata: StoredMetadata.object(try cells[7].decode(String.self)), createdAt: try cells[8].decode(String.self))
    }

    /// The rows of an insert as one JSON array (`jsonb_to_recordset` reads it): a single
    /// parameter whatever the batch size, with NULLs where a field is absent.
    static func insertPayload(_ items: [NewItem]) throws -> String {
        let rows: [JSONValue] = items.map { item in
            .object([
                "uri": .string(item.uri), "path": item.path.map(JSONValue.string) ?? .null, "sha256": .string(item.sha256),
                "width": item.width.map { .integer($0) } ?? .null, "height": item.height.map { .integer($0) } ?? .null,
                "caption": item.caption.map(JSONValue.string) ?? .null, "metadata": .object(item.metadata),
            ])
        }
        return String(decoding: try JSONEncoder().encode(JSONValue.array(rows)), as: UTF8.self)
    }
}
