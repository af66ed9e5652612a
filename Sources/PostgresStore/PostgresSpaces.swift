import Retrieval

/// The embedding spaces recorded in the shared database, and which one a replica serves: the
/// embedded store's rule (`EmbeddingSpace.serving`), so a replica whose model or vision adapter
/// changed keeps serving the stored images (and refuses queries of the new space) instead of
/// silently serving an empty collection.
public enum PostgresSpaces {
    /// Every recorded space with its item count, after applying pending migrations.
    public static func itemCounts(_ pool: BlockingPostgresPool, catalog: MigrationCatalog? = nil) throws -> [(space: EmbeddingSpace, items: Int)] {
        try PostgresMigrator(catalog: catalog ?? PostgresMigrator.bundledCatalog()).migrate(pool)
        return try pool.withConnection { connection in
            try connection.query("""
                SELECT s.model_id, s.image_adapter_id, s.dimension, count(i.id)
                FROM spaces s LEFT JOIN items i ON i.space_id = s.id GROUP BY s.id ORDER BY s.id
                """).map { row in
                let (model, adapter, dimension, items) = try row.decode((String, String, Int32, Int64).self)
                let space = try EmbeddingSpace(modelID: model, imageAdapterID: adapter.isEmpty ? nil : adapter, dimension: Int(dimension))
                return (space, Int(items))
            }
        }
    }

    /// The space to serve for queries embedded in `current`.
    public static func servingSpace(for current: EmbeddingSpace, pool: BlockingPostgresPool) throws -> EmbeddingSpace {
        EmbeddingSpace.serving(for: current, among: try itemCounts(pool))
    }
}
