import Logging

/// What every connection of one server shares; immutable after start, so it is read from any
/// connection queue without locks.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let router: Router
    let logger: Logger
    let observer: (@Sendable (HTTPAccessRecord) -> Void)?
    let requestIDs = RequestIDGenerator()
    let counters = ServerCounters()
    /// nil when no access line is written (destination off or logger above info).
    let accessLog: AccessLog?
    let headerTimeout: UInt64
    let bodyTimeout: UInt64
    let idleTimeout: UInt64
    let sendTimeout: UInt64
    let lingerTimeout: UInt64
    let requestReadTimeout: UInt64

    init(
        configuration: HTTPServerConfiguration, router: Router, logger: Logger,
        observer: (@Sendable (HTTPAccessRecord) -> Void)?
    ) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.observer = observer
        headerTimeout = configuration.headerTimeout.nanoseconds
        bodyTimeout = configuration.bodyTimeout.nanoseconds
        idleTimeout = configuration.idleTimeout.nanoseconds
        sendTimeout = configuration.sendTimeout.nanoseconds
        lingerTimeout = configuration.lingerTimeout.nanoseconds
        requestReadTimeout = configuration.requestReadTimeout.nanoseconds
        accessLog = AccessLog(configuration: configuration.accessLog, logger: logger, counters: counters)
    }
}
