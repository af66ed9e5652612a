import Foundation
import JSON
import PostgresNIO
import Retrieval

/// The image collection of one embedding space in PostgreSQL + pgvector: the store that any
/// number of replicas share. Same operations and semantics as the embedded `ImageStore`
/// (`ImageCollectionStore`), with the database as the only state: nothing is cached, so a row
/// committed by one replica is visible to every other at their next statement.
///
/// Writes are single transactions: concurrent writers from any number of connections or
/// replicas are serialised by the database where they meet (the unique (space, sha256) key), so
/// the same bytes uploaded twice at once are stored once and both callers get the one id.
/// Reads: `search` uses the space's HNSW index (approximate, `PostgresIndexSettings`);
/// `exactSearch` scans every float32 embedding of the space (the reference).
public final class PostgresImageStore: ImageCollectionStore {
    public let space: EmbeddingSpace
    public let spaceID: Int64
    public let settings: PostgresIndexSettings
    private let pool: BlockingPostgresPool

    /// Opens the store of `space` on `pool`'s database: applies pending migrations (under the
    /// migration lock), records the space, and creates its HNSW index when missing.
    /// `pool` must have been made with `settings.sessionSetup` (`PostgresImageStore.makePool`).
    public init(pool: BlockingPostgresPool, space: EmbeddingSpace, settings: PostgresIndexSettings = PostgresIndexSettings(),
                catalog: MigrationCatalog? = nil) throws {
        guard space.dimension <= Self.maxDimension else {
            throw StoreError.invalidArgument("dimension \(space.dimension) is above \(Self.maxDimension), the largest pgvector's HNSW indexes")
        }
        self.pool = pool
        self.space = space
        self.settings = settings
        try PostgresMigrator(catalog: catalog ?? PostgresMigrator.bundledCatalog()).migrate(pool)
        spaceID = try Self.recordSpace(space, settings: settings, pool: pool)
    }

    /// A pool whose connections carry `settings`' search parameters.
    public static func makePool(url: PostgresURL, limits: PostgresPoolLimits = PostgresPoolLimits(),
                                settings: PostgresIndexSettings = PostgresIndexSettings()) -> BlockingPostgresPool {
        BlockingPostgresPool(url: url, limits: limits, sessionSetup: settings.sessionSetup)
    }

    /// pgvector's HNSW indexes `vector` up to 2000 dimensions (the spaces table checks the same).
    public static let maxDimension = 2_000

    /// The name of the space's approximate index.
    public var indexName: String { "embeddings_hnsw_\(spaceID)" }

    // MARK: writes

    public func add(_ items: [NewItem]) throws -> [AddOutcome] {
        var flat: [Float] = []
        flat.reserveCapacity(items.count * space.dimension)
        for (offset, item) in items.enumerated() {
            flat += try StoreValidation.unitVector(item.embedding, dimension: space.dimension, label: "item \(offset) (\(item.uri))")
            guard StoreValidation.isSHA256(item.sha256) else {
                throw StoreError.invalidArgument("sha256 of \(item.uri) must be 64 lowercase hex digits, got '\(item.sha256)'")
            }
            try Self.refuseNUL(item)
        }
        guard !items.isEmpty else { return [] }
        let payload = try PostgresItemRows.insertPayload(items)
        let d = space.dimension
        return try pool.transaction { connection in
            var created: [String: Int64] = [:]
            for row in try connection.query(PostgresQuery(unsafeSQL: """
                WITH input AS (
                    SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                        AS (uri text, path text, sha256 text, width integer, height integer, caption text, metadata jsonb))
                        WITH ORDINALITY AS t (uri, path, sha256, width, height, caption, metadata, ord)
                ), inserted AS (
                    INSERT INTO items (space_id, uri, path, sha256, width, height, caption, metadata)
                    SELECT \(spaceID), uri, path, sha256, width, height, caption, metadata FROM input ORDER BY ord
                    ON CONFLICT (space_id, sha256) DO NOTHING
                    RETURNING id, sha256
                ), first_of_each AS (
                    SELECT sha256, min(ord) AS ord FROM input GROUP BY sha256
                ), vectors AS (
                    INSERT INTO embeddings (item_id, space_id, embedding)
                    SELECT inserted.id, \(spaceID), ($2::float4[])[(f.ord - 1) * \(d) + 1 : f.ord * \(d)]::vector
                    FROM inserted JOIN first_of_each f USING (sha256)
                )
                SELECT sha256, id FROM inserted
                """, binds: Self.binds(payload, flat))) {
                let (sha256, id) = try row.decode((String, Int64).self)
                created[sha256] = id
            }
            // The rest were stored before (by anyone: a concurrent writer's row is committed by
            // now, as ON CONFLICT waited for it) or earlier in this batch.
            let others = Array(Set(items.map(\.sha256)).subtracting(created.keys))
            var existing: [String: Int64] = [:]
            if !others.isEmpty {
                for row in try connection.query("SELECT sha256, id FROM items WHERE space_id = \(spaceID) AND sha256 = ANY(\(others))") {
                    let (sha256, id) = try row.decode((String, Int64).self)
                    existing[sha256] = id
                }
            }
            var reported = Set<String>()
            return try items.map { item -> AddOutcome in
                if let id = created[item.sha256], reported.insert(item.sha256).inserted { return .stored(id: id) }
                guard let id = created[item.sha256] ?? existing[item.sha256] else {
                    throw PostgresStoreError.unexpectedResult("item \(item.sha256) was neither stored nor found")
                }
                return .duplicate(existingID: id)
            }
        }
    }

    @discardableResult
    public func delete(ids: [Int64]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try pool.withConnection { connection in
            try connection.run("DELETE FROM items WHERE space_id = \(spaceID) AND id = ANY(\(ids))")
        }
    }

    // MARK: reads

    /// Approximate top-k through the space's HNSW index; scores are exact (float32).
    public func search(_ query: [Float], k: Int, filter: MetadataFilter) throws -> [SearchHit] {
        try search(query, k: k, filter: filter, exact: false)
    }

    /// Exact top-k: every float32 embedding of the space (that matches `filter`) is scored.
    public func exactSearch(_ query: [Float], k: Int, filter: MetadataFilter = [:]) throws -> [SearchHit] {
        try search(query, k: k, filter: filter, exact: true)
    }

    private func search(_ query: [Float], k: Int, filter: MetadataFilter, exact: Bool) throws -> [SearchHit] {
        guard k > 0 else { throw StoreError.invalidArgument("k must be positive, got \(k)") }
        let unit = try StoreValidation.unitVector(query, dimension: space.dimension, label: "query")
        try MetadataFilterRules.check(filter, limits: .ceiling)
        // No stored string holds a NUL (PostgreSQL text cannot), so such a value matches nothing.
        if filter.values.contains(where: { if case .string(let s) = $0 { s.contains("\0") } else { false } }) { return [] }
        var binds = PostgresBindings()
        binds.append(unit)
        if !filter.isEmpty { binds.append(try StoredMetadata.text(filter)) }
        let sql = searchSQL(filtered: !filter.isEmpty, exact: exact, k: k)
        let hits = try pool.withConnection { connection in
            try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                SearchHit(item: try PostgresItemRows.item(row), score: Float(try row.makeRandomAccess()[9].decode(Double.self)))
            }
        }
        // The join does not keep the subquery's order, and the index orders by half-precision
        // distances (iterative scans relax even that): the exact float32 scores decide, ties by id.
        return hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.item.id < $1.item.id) }
    }

    /// The search statement: $1 the query (float4[]), $2 the filter (jsonb) when `filtered`.
    /// Space id, dimension and k are literals: the planner must see the space id to match the
    /// space's partial index, and the dimension to match its expression. The top k are found on
    /// `embeddings` alone and only then joined to their rows: joining first carried every 2 KB
    /// vector through a hash join that spilled to disk (92 ms instead of 20 at 20k x 512).
    public func searchSQL(filtered: Bool, exact: Bool, k: Int) -> String {
        let d = space.dimension
        let queryVector = "$1::float4[]::vector(\(d))"
        let order = exact
            ? "e.embedding <#> \(queryVector), e.item_id"
            : settings.halfPrecision ? "(e.embedding::halfvec(\(d))) <#> \(queryVector)::halfvec(\(d))" : "(e.embedding::vector(\(d))) <#> \(queryVector)"
        let filter = filtered ? " AND e.item_id IN (SELECT id FROM items WHERE space_id = \(spaceID) AND metadata @> $2::jsonb)" : ""
        return """
            SELECT \(PostgresItemRows.columns("i")), top.score
            FROM (SELECT e.item_id, -(e.embedding <#> \(queryVector)) AS score FROM embeddings e
                  WHERE e.space_id = \(spaceID)\(filter) ORDER BY \(order) LIMIT \(k)) AS top
            JOIN items i ON i.id = top.item_id
            """
    }

    public func item(id: Int64) throws -> StoredItem? {
        try pool.withConnection { connection in
            try connection.query("SELECT \(unescaped: PostgresItemRows.columns("items")) FROM items WHERE id = \(id)").first.map(PostgresItemRows.item)
        }
    }

    public func embedding(id: Int64) throws -> [Float]? {
        try pool.withConnection { connection in
            try connection.query("SELECT embedding::float4[] FROM embeddings WHERE item_id = \(id) AND space_id = \(spaceID)")
                .first?.decode([Float].self)
        }
    }

    public func items(after afterID: Int64, limit: Int) throws -> [StoredItem] {
        try pool.withConnection { connection in
            try connection.query("""
                SELECT \(unescaped: PostgresItemRows.columns("items")) FROM items
                WHERE space_id = \(spaceID) AND id > \(afterID) ORDER BY id LIMIT \(max(0, limit))
                """).map(PostgresItemRows.item)
        }
    }

    public func itemID(sha256: String) throws -> Int64? {
        guard StoreValidation.isSHA256(sha256) else { return nil }
        return try pool.withConnection { connection in
            try connection.query("SELECT id FROM items WHERE space_id = \(spaceID) AND sha256 = \(sha256)").first?.decode(Int64.self)
        }
    }

    public func contains(sha256: String) throws -> Bool { try itemID(sha256: sha256) != nil }

    public func itemCount() throws -> Int {
        try pool.withConnection { connection in
            Int(try connection.query("SELECT count(*) FROM items WHERE space_id = \(spaceID)").first?.decode(Int64.self) ?? 0)
        }
    }

    // MARK: opening

    /// The space's id (recorded when new) after making sure its HNSW index exists. Both under
    /// a transaction-scoped advisory lock: two replicas opening a new space at once must not both
    /// create the index.
    private static func recordSpace(_ space: EmbeddingSpace, settings: PostgresIndexSettings, pool: BlockingPostgresPool) throws -> Int64 {
        try pool.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(PostgresMigrator.advisoryLockKey))")
            let adapter = space.imageAdapterID ?? ""
            let dimension = Int32(space.dimension)
            try connection.query("""
                INSERT INTO spaces (model_id, image_adapter_id, dimension) VALUES (\(space.modelID), \(adapter), \(dimension))
                ON CONFLICT DO NOTHING
                """)
            guard let id = try connection.query("""
                SELECT id FROM spaces WHERE model_id = \(space.modelID) AND image_adapter_id = \(adapter) AND dimension = \(dimension)
                """).first?.decode(Int64.self) else {
                throw PostgresStoreError.unexpectedResult("space \(space) was not recorded")
            }
            let d = space.dimension
            let (expression, operators) = settings.halfPrecision
                ? ("(embedding::halfvec(\(d)))", "halfvec_ip_ops") : ("(embedding::vector(\(d)))", "vector_ip_ops")
            try connection.execute("""
                CREATE INDEX IF NOT EXISTS embeddings_hnsw_\(id) ON embeddings
                USING hnsw (\(expression) \(operators)) WITH (m = \(settings.m), ef_construction = \(settings.efConstruction))
                WHERE space_id = \(id)
                """)
            return id
        }
    }

    private static func binds(_ payload: String, _ vectors: [Float]) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(payload)
        binds.append(vectors)
        return binds
    }

    /// PostgreSQL text cannot hold U+0000: refused here with the field named, not as a server error.
    private static func refuseNUL(_ item: NewItem) throws {
        func check(_ text: String?, _ field: String) throws {
            if let text, text.contains("\0") { throw StoreError.invalidArgument("\(field) of \(item.uri.debugDescription) holds a NUL character") }
        }
        try check(item.uri, "uri")
        try check(item.path, "path")
        try check(item.caption, "caption")
        if item.metadata.contains(where: { key, value in key.contains("\0") || holdsNUL(value) }) {
            throw StoreError.invalidArgument("metadata of \(item.uri.debugDescription) holds a NUL character")
        }
    }

    private static func holdsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.contains("\0")
        case .array(let values): values.contains(where: holdsNUL)
        case .object(let members): members.contains { $0.key.contains("\0") || holdsNUL($0.value) }
        case .integer, .number, .bool, .null: false
        }
    }
}
