import Foundation

/// The SQL the store runs, one function per statement. Stateless: each call takes the connection
/// (the writer under the store's lock, or a pooled reader).
enum ItemRecords {
    static let itemColumns = "id, uri, sha256, width, height, caption, metadata, created_at, path"

    static func spaceID(_ db: SQLiteConnection, for space: EmbeddingSpace) throws -> Int64 {
        let bindings: [SQLiteValue] = [.text(space.modelID), .text(space.imageAdapterID ?? ""), .integer(Int64(space.dimension))]
        try db.run("INSERT INTO spaces (model_id, image_adapter_id, dimension) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", bindings)
        guard let id = try db.scalar("SELECT id FROM spaces WHERE model_id = ? AND image_adapter_id = ? AND dimension = ?", bindings).integer else {
            throw StoreError.io("space \(space) was not recorded")
        }
        return id
    }

    static func spaces(_ db: SQLiteConnection) throws -> [(id: Int64, space: EmbeddingSpace)] {
        try db.query("SELECT id, model_id, image_adapter_id, dimension FROM spaces ORDER BY id").map { row in
            (row[0].integer ?? 0, try EmbeddingSpace(modelID: row[1].text ?? "", imageAdapterID: row[2].text,
                                                      dimension: Int(row[3].integer ?? 0)))
        }
    }

    /// Inserts one item; nil when its sha256 is already stored.
    static func insert(_ db: SQLiteConnection, _ item: NewItem, unitEmbedding: [Float], spaceID: Int64) throws -> Int64? {
        let rows = try db.query("""
            INSERT INTO items (uri, sha256, width, height, caption, metadata, space_id, embedding, path)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (space_id, sha256) DO NOTHING RETURNING id
            """, [
                .text(item.uri), .text(item.sha256), item.width.map { .integer(Int64($0)) } ?? .null,
                item.height.map { .integer(Int64($0)) } ?? .null, item.caption.map { .text($0) } ?? .null,
                .text(try StoredMetadata.text(item.metadata)), .integer(spaceID), .blob(encode(unitEmbedding)),
                item.path.map { .text($0) } ?? .null,
            ])
        return rows.first?[0].integer
    }

    static func id(_ db: SQLiteConnection, sha256: String, spaceID: Int64) throws -> Int64? {
        try db.scalar("SELECT id FROM items WHERE space_id = ? AND sha256 = ?", [.integer(spaceID), .text(sha256)]).integer
    }

    static func count(_ db: SQLiteConnection, spaceID: Int64) throws -> Int {
        Int(try db.scalar("SELECT COUNT(*) FROM items WHERE space_id = ?", [.integer(spaceID)]).integer ?? 0)
    }

    /// Embeddings of the space's items with id > `afterID`, in id order, at most `limit`.
    static func embeddings(_ db: SQLiteConnection, spaceID: Int64, afterID: Int64, limit: Int, dimension: Int) throws -> [(Int64, [Float])] {
        try db.query("SELECT id, embedding FROM items WHERE space_id = ? AND id > ? ORDER BY id LIMIT ?",
                     [.integer(spaceID), .integer(afterID), .integer(Int64(limit))]).map { row in
            let id = row[0].integer ?? 0
            return (id, try decode(row[1].blob ?? Data(), id: id, dimension: dimension))
        }
    }

    /// The embedding of item `id` when it is stored in the space.
    static func embedding(_ db: SQLiteConnection, id: Int64, spaceID: Int64, dimension: Int) throws -> [Float]? {
        guard let row = try db.query("SELECT embedding FROM items WHERE space_id = ? AND id = ?",
                                     [.integer(spaceID), .integer(id)]).first else { return nil }
        return try decode(row[0].blob ?? Data(), id: id, dimension: dimension)
    }

    /// Deletions in the space with seq > `afterSeq`, in order.
    static func deletions(_ db: SQLiteConnection, spaceID: Int64, afterSeq: Int64) throws -> [(seq: Int64, itemID: Int64)] {
        try db.query("SELECT seq, item_id FROM item_deletions WHERE space_id = ? AND seq > ? ORDER BY seq",
                     [.integer(spaceID), .integer(afterSeq)]).map { ($0[0].integer ?? 0, $0[1].integer ?? 0) }
    }

    /// The largest item id ever assigned (AUTOINCREMENT's counter), across spaces.
    static func maxAssignedItemID(_ db: SQLiteConnection) throws -> Int64 {
        try db.scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'items'), 0)").integer ?? 0
    }

    static func maxDeletionSeq(_ db: SQLiteConnection) throws -> Int64 {
        try db.scalar("SELECT COALESCE(MAX(seq), 0) FROM item_deletions").integer ?? 0
    }

    static func delete(_ db: SQLiteConnection, ids: [Int64], spaceID: Int64) throws -> Int {
        try db.run("DELETE FROM items WHERE space_id = ? AND id IN (SELECT value FROM json_each(?))",
                   [.integer(spaceID), .text(idList(ids))])
        return db.changes
    }

    static func items(_ db: SQLiteConnection, ids: [Int64], spaceID: Int64) throws -> [Int64: StoredItem] {
        let rows = try db.query("SELECT \(itemColumns) FROM items WHERE space_id = ? AND id IN (SELECT value FROM json_each(?))",
                                [.integer(spaceID), .text(idList(ids))])
        var out: [Int64: StoredItem] = [:]
        for row in rows {
            let item = storedItem(row)
            out[item.id] = item
        }
        return out
    }

    /// A page of the space's rows in id order, starting after `afterID`.
    static func page(_ db: SQLiteConnection, spaceID: Int64, afterID: Int64, limit: Int) throws -> [StoredItem] {
        try db.query("SELECT \(itemColumns) FROM items WHERE space_id = ? AND id > ? ORDER BY id LIMIT ?",
                     [.integer(spaceID), .integer(afterID), .integer(Int64(limit))]).map(storedItem)
    }

    static func item(_ db: SQLiteConnection, id: Int64) throws -> StoredItem? {
        try db.query("SELECT \(itemColumns) FROM items WHERE id = ?", [.integer(id)]).first.map(storedItem)
    }

    /// Ids of the space's items whose metadata matches every condition exactly. Throws
    /// `MetadataFilterRefusal` for a filter past `MetadataFilterLimits.ceiling` or with a key
    /// that cannot be a path label, before any SQL is built.
    static func ids(_ db: SQLiteConnection, spaceID: Int64, matching filter: MetadataFilter) throws -> [Int64] {
        try MetadataFilterRules.check(filter, limits: .ceiling)
        var conditions: [String] = []
        var bindings: [SQLiteValue] = [.integer(spaceID)]
        for (key, value) in filter.sorted(by: { $0.key < $1.key }) {
            let path = SQLiteValue.text(MetadataFilterRules.path(of: key))
            let types: (String, String)
            let expected: SQLiteValue
            switch value {
            case .string(let s): types = ("text", "text"); expected = .text(s)
            case .integer(let n): types = ("integer", "real"); expected = .real(Double(n))
            case .number(let n): types = ("integer", "real"); expected = .real(n)
            case .bool(let b): types = (b ? "true" : "false", b ? "true" : "false"); expected = .null
            case .null: types = ("null", "null"); expected = .null
            case .array, .object: throw MetadataFilterRefusal.valueNotScalar(key: key)
            }
            conditions.append("json_type(metadata, ?) IN (?, ?) AND (? IS NULL OR json_extract(metadata, ?) = ?)")
            bindings += [path, .text(types.0), .text(types.1), expected, path, expected]
        }
        let sql = "SELECT id FROM items WHERE space_id = ?" + conditions.map { " AND " + $0 }.joined()
        return try db.query(sql, bindings).compactMap { $0[0].integer }
    }

    static func recordCheckpoint(_ db: SQLiteConnection, spaceID: Int64, _ checkpoint: IndexCheckpoint, fileName: String,
                                 fileBytes: Int, reason: String) throws {
        try db.run("""
            INSERT INTO index_checkpoints (space_id, factory, vector_count, applied_item_id, applied_deletion_seq,
                                           file_name, file_bytes, payload_sha256, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(spaceID), .text(checkpoint.factory), .integer(Int64(checkpoint.vectorCount)),
                  .integer(checkpoint.appliedItemID), .integer(checkpoint.appliedDeletionSeq), .text(fileName),
                  .integer(Int64(fileBytes)), .text(checkpoint.payloadSHA256), .text(reason)])
    }

    // MARK: encoding

    static func idList(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }

    static func storedItem(_ row: SQLiteRow) -> StoredItem {
        StoredItem(id: row[0].integer ?? 0, uri: row[1].text ?? "", path: row[8].text, sha256: row[2].text ?? "",
                   width: row[3].integer.map { Int($0) }, height: row[4].integer.map { Int($0) }, caption: row[5].text,
                   metadata: StoredMetadata.object(row[6].text ?? "{}"), createdAt: row[7].text ?? "")
    }

    /// Little-endian float32s.
    static func encode(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for v in vector {
            var bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func decode(_ blob: Data, id: Int64, dimension: Int) throws -> [Float] {
        guard blob.count == dimension * 4 else {
            throw StoreError.corruptRow(id: id, reason: "embedding has \(blob.count) bytes, expected \(dimension * 4)")
        }
        return blob.withUnsafeBytes { raw in
            (0..<dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
