import Engine
import Foundation
import HTTPServer
import Logging
import Models
import Retrieval

/// `adaptclip serve`: load the models, bind, serve until SIGTERM/SIGINT, drain, return.
public enum ServiceRunner {
    /// A running service, for callers (tests, `serve`) that need its port or want to stop it.
    public struct Running: Sendable {
        public let server: HTTPServer
        public let port: Int
        public let context: ServiceContext
        /// What `/readyz` reports; a store that connects or recovers later marks itself here.
        public let readiness: ServiceReadiness
    }

    /// Starts listening, then loads everything; returns once every component is ready. While it
    /// loads, `/healthz` answers and `/readyz` (like every other route) answers 503 naming what
    /// is not ready yet. `accessLog`: where the access lines go (standard error unless a test
    /// reads them). `listening`: called with the port once the socket listens, before anything
    /// loads (start-up waits for it).
    public static func start(
        configuration: AdaptCLIPConfiguration, logger: Logger = Logger(label: "adaptclip"),
        accessLog: HTTPAccessLogConfiguration.Destination = .standardError,
        listening: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> Running {
        let metrics = ServiceMetrics()
        let readiness = ServiceReadiness(waitingFor: [.model: "loading", .store: "opens after the model"])
        let slot = ServiceContextSlot(configuration: configuration, readiness: readiness)
        let server = HTTPServer(
            configuration: httpConfiguration(configuration, accessLog: accessLog), router: ServiceRouter.make(slot), logger: logger,
            observer: metrics.requestObserver)
        let port = try server.start()
        metrics.readHTTPStatistics { server.statistics }
        var started = false
        defer { if !started { server.shutdown(gracePeriod: .zero) {} } }
        await listening?(port)
        let loaded = try EngineFactory.make(configuration: configuration) { _, size, duration in
            metrics.recordBatch(size: size, duration: duration)
        }
        if let fallback = loaded.precision.fallback {
            logger.warning("engine.precision = auto serves fp32: bf16 failed its gate", metadata: ["reason": "\(fallback)"])
        }
        if loaded.isTestModel {
            logger.warning("serving the test model: embeddings and scores carry no meaning", metadata: ["model_source": "\(loaded.modelLabel)"])
        }
        let adapters = AdapterLifecycle(
            engine: loaded.engine, catalog: try AdapterCatalog(directory: URL(fileURLWithPath: configuration.dataDirectory)),
            logger: logger, metrics: metrics)
        if let path = loaded.languageAdapterPath { adapters.adoptServing(.language, path: path) }
        // Before the collection opens: a restored vision-side domain adapter decides which
        // embedding space the collection serves.
        adapters.restoreInstalled()
        readiness.waiting(for: .model, "warming up")
        try await ModelWarmUp.run(loaded.engine)
        readiness.markReady(.model)
        let collection = try await CollectionOpener.open(
            configuration, current: try loaded.engine.imageSpace(), formerModelIDs: loaded.engine.formerModelIDs,
            readiness: readiness, logger: logger)
        if configuration.models.clip == nil, configuration.seedGallery, let gallery = EmbeddedDefault.locate()?.gallery {
            readiness.waiting(for: .store, "indexing the demo gallery")
            try await GallerySeeder.seedIfEmpty(collection, from: gallery, engine: loaded.engine, logger: logger)
        }
        metrics.recordIndexSize(of: collection)
        readiness.markReady(.store)
        logger.notice("collection open", metadata: [
            "store": "\(configuration.store.backend.rawValue)", "data_dir": "\(configuration.dataDirectory)",
            "items": "\((try? collection.store.itemCount()) ?? 0)",
            "index": "\(collection.embedded.map { "\($0.indexState.factory)" } ?? "pgvector hnsw")",
            "recovery": "\(collection.embedded.map { "\($0.recovery)" } ?? "none")",
        ])
        let context = ServiceContext(
            configuration: configuration, engine: loaded.engine, modelLabel: loaded.modelLabel,
            isTestModel: loaded.isTestModel, metrics: metrics, logger: logger, collection: collection, adapters: adapters,
            classificationTemplates: loaded.classificationTemplates)
        // Jobs a stop, crash or kill left unfinished continue where their last commit ended.
        if collection.embedded != nil { try context.ingestJobs.resumeUnfinished(collection: collection, engine: loaded.engine) }
        slot.fill(context)
        started = true
        logger.notice("ready", metadata: [
            "host": "\(configuration.server.host)", "port": "\(port)", "model": "\(loaded.engine.modelName)",
            "model_source": "\(loaded.modelLabel)", "dimension": "\(loaded.engine.dimension)",
            "kernels": "\(loaded.engine.clip.options.kernelReport)", "precision": "\(loaded.precision)",
        ])
        return Running(server: server, port: port, context: context, readiness: readiness)
    }

    /// Runs until a termination signal has drained the server, then ends the process.
    ///
    /// The drain and everything after it run on Dispatch, from the signal's handler: under load
    /// every cooperative thread may be busy with request work, and a stop that waited for one
    /// would not come (the server drains for `server.shutdown_grace_seconds`, then closes what
    /// is left). Request work still running is abandoned with the process; acknowledged writes
    /// are already durable in SQLite.
    public static func run(configuration: AdaptCLIPConfiguration) async throws -> Never {
        let logger = Logger(label: "adaptclip")
        let running = try await start(configuration: configuration, logger: logger)
        let collection = running.context.collection
        let grace = Duration.milliseconds(Int(configuration.server.shutdownGraceSeconds * 1000))
        let stopSignals = StopSignals(readiness: running.readiness) { signal in
            logger.notice("signal received, shutting down", metadata: ["signal": "\(signal)"])
            running.server.shutdown(gracePeriod: grace) {
                do { try collection?.close() } catch {
                    logger.error("closing the collection failed; the next start replays from SQLite", metadata: ["error": "\(LogText.bounded(error))"])
                }
                logger.notice("stopped")
                exit(0)
            }
        }
        // Nothing more happens on this task: the signal path above ends the process.
        while true { withExtendedLifetime(stopSignals) {}; try? await Task.sleep(for: .seconds(3600)) }
    }

    static func httpConfiguration(
        _ c: AdaptCLIPConfiguration, accessLog: HTTPAccessLogConfiguration.Destination = .standardError
    ) -> HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: c.server.host, port: c.server.port,
            limits: HTTPLimits(
                maxRequestLineBytes: c.limits.maxRequestLineBytes, maxHeaderBytes: c.limits.maxHeaderBytes,
                maxHeaderCount: c.limits.maxHeaderCount, maxBodyBytes: c.limits.maxBodyBytes),
            maxConnections: c.server.maxConnections,
            headerTimeout: seconds(c.limits.headerTimeoutSeconds), bodyTimeout: seconds(c.limits.bodyTimeoutSeconds),
            idleTimeout: seconds(c.limits.idleTimeoutSeconds),
            requestReadTimeout: seconds(c.limits.requestReadTimeoutSeconds),
            // The same lines `ServiceLogging`'s StreamLogHandler prints, written in batches off
            // the request path.
            accessLog: HTTPAccessLogConfiguration(destination: accessLog))
    }

    private static func seconds(_ value: Double) -> Duration { .milliseconds(Int(value * 1000)) }
}
