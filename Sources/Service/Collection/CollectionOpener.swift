import Logging
import PostgresStore
import Retrieval

/// Opens the collection `store.backend` names, marking the store's readiness as it goes.
///
/// The shared store is waited for rather than given up on: a replica that starts before its
/// database (a rollout, a failover) stays not ready, naming why, and retries with growing pauses
/// until the database answers; only a failure that retrying cannot mend (a migration, a bad
/// dimension) stops start-up.
enum CollectionOpener {
    /// The first pause between connection attempts; each failure doubles it up to `maxRetryPause`.
    static let firstRetryPause = Duration.milliseconds(500)
    static let maxRetryPause = Duration.seconds(10)

    static func open(
        _ configuration: AdaptCLIPConfiguration, current: EmbeddingSpace, formerModelIDs: [String],
        readiness: ServiceReadiness, logger: Logger
    ) async throws -> ImageLibrary {
        let settings = configuration.store
        switch settings.backend {
        case .sqlite:
            readiness.waiting(for: .store, "opening (recovering the index)")
            return try ImageLibrary(directory: configuration.storage, current: current, formerModelIDs: formerModelIDs)
        case .postgres:
            guard let url = settings.postgresURL else {
                throw ConfigurationError.invalidValue(key: "store.postgres.url", source: "the resolved configuration", reason: "not set")
            }
            readiness.waiting(for: .store, "connecting")
            let pool = PostgresImageStore.makePool(url: url, limits: settings.poolLimits, settings: settings.indexSettings)
            // Closed unless the collection took it (a start-up that fails or is cancelled).
            var opened = false
            defer { if !opened { pool.close() } }
            var pause = firstRetryPause
            while true {
                do {
                    let space = try PostgresSpaces.servingSpace(for: current, pool: pool)
                    let store = try PostgresImageStore(pool: pool, space: space, settings: settings.indexSettings)
                    opened = true
                    return ImageLibrary(shared: store, bytes: PostgresImageBytes(pool: pool), directory: configuration.storage) {
                        pool.close()
                    }
                } catch {
                    guard let reason = PostgresUnavailability.reason(error) else { throw error }
                    readiness.waiting(for: .store, "connecting: \(reason)")
                    logger.warning("the shared store is not reachable yet; retrying", metadata: [
                        "url": "\(url)", "error": "\(PostgresErrorText.describe(error))", "retry_in": "\(pause)",
                    ])
                    try await Task.sleep(for: pause)
                    pause = min(pause * 2, maxRetryPause)
                }
            }
        }
    }
}
