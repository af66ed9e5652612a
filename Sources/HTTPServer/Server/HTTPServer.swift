import Dispatch
import Glibc
import Logging
import Synchronization

/// A socket-level HTTP/1.1 server on Dispatch.
///
///     var router = Router()
///     router.add(.get, "/health") { _ in .text("ok") }
///     let server = HTTPServer(configuration: .init(port: 0), router: router, logger: logger)
///     let port = try server.start()          // listening when it returns
///     server.shutdownOnSignals(gracePeriod: .seconds(10)) { exit(0) }
///     await server.waitUntilStopped()
///
/// Design: one non-blocking listening socket with a Dispatch read source on an accept queue;
/// each connection gets its own serial queue with read (and, when the socket buffer is full,
/// write) sources. Handlers are async and run in Swift concurrency, never on an I/O queue —
/// except immediate routes (`Router.addImmediate`), which answer on the connection's queue so
/// that busy cooperative threads never delay them. Timeouts are enforced by one periodic sweep
/// instead of a timer per connection, so the hot path only reads the clock. Shutdown, signals
/// included, runs on Dispatch too: it completes while every cooperative thread is busy.
public final class HTTPServer: Sendable {
    public typealias Limits = HTTPLimits
    public typealias Configuration = HTTPServerConfiguration

    /// Errors of the server's life cycle (socket failures are `SocketError`).
    public enum LifecycleError: Error, Sendable, CustomStringConvertible {
        case alreadyStarted
        public var description: String { "The server was already started; a server starts once." }
    }

    private enum Phase {
        case created, running, draining, stopped
    }

    private struct State {
        var phase = Phase.created
        var port: Int?
        var listenSource: SendableSource<any DispatchSourceRead>?
        /// Accepting paused after accept(2) failed (a suspended source must be resumed to cancel).
        var acceptPaused = false
        var sweepTimer: SendableSource<any DispatchSourceTimer>?
        var signalSources: [SendableSource<any DispatchSourceSignal>] = []
        var connections: [UInt64: Connection] = [:]
        var nextConnectionID: UInt64 = 0
        /// Set once the listening descriptor is closed (the port is free again).
        var listenerClosed = false
        /// Called once, on `acceptQueue`, when the server has stopped.
        var stopCallbacks: [@Sendable () -> Void] = []
    }

    private let context: ServerContext
    private let state = Mutex(State())
    private let acceptQueue = DispatchQueue(label: "http.accept")
    /// Left when the listening descriptor is closed, so `shutdown` completes with the port free.
    private let listenerClosed = DispatchGroup()
    /// After the grace period, how long force-closed connections get to finish closing before
    /// the server reports itself stopped anyway (a connection queue stuck in a blocking
    /// immediate handler must not stop the process from exiting).
    private static let forceCloseTimeout = DispatchTimeInterval.seconds(5)

    /// - Parameter observer: called once per answered request (on an I/O queue: keep it quick),
    ///   e.g. to update metrics.
    public init(
        configuration: Configuration = Configuration(), router: Router, logger: Logger,
        observer: (@Sendable (HTTPAccessRecord) -> Void)? = nil
    ) {
        context = ServerContext(configuration: configuration, router: router, logger: logger, observer: observer)
    }

    deinit {
        // A server dropped without `shutdown` must not leave live sources behind.
        state.withLock { s in
            if s.acceptPaused { s.listenSource?.source.resume() }
            s.listenSource?.source.cancel()
            s.sweepTimer?.source.cancel()
            for source in s.signalSources { source.source.cancel() }
        }
    }

    public var configuration: Configuration { context.configuration }

    /// The bound port once started (the ephemeral one when configured with port 0).
    public var port: Int? { state.withLock { $0.port } }

    /// Number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// What the server counted since it started (connections, requests, refusals, timeouts by
    /// phase, dropped access-log lines), for a metrics endpoint. Cheap: a dozen atomic loads.
    public var statistics: HTTPServerStatistics {
        context.counters.snapshot(openConnections: connectionCount)
    }

    /// Binds, listens and starts accepting; the socket is listening when this returns.
    /// - Returns: the bound port.
    @discardableResult
    public func start() throws -> Int {
        let alreadyStarted = state.withLock { $0.phase != .created }
        if alreadyStarted { throw LifecycleError.alreadyStarted }
        let configuration = context.configuration
        let listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let port: Int
        do {
            port = try Socket.boundPort(listener)
        } catch {
            Socket.close(listener)
            throw error
        }
        let source = SendableSource(DispatchSource.makeReadSource(fileDescriptor: listener, queue: acceptQueue))
        source.source.setEventHandler { [weak self] in self?.acceptPending(listener) }
        listenerClosed.enter()
        source.source.setCancelHandler { [listenerClosed] in
            Socket.close(listener)
            listenerClosed.leave()
        }
        let sweep = SendableSource(DispatchSource.makeTimerSource(queue: acceptQueue))
        let interval = sweepInterval()
        sweep.source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
        sweep.source.setEventHandler { [weak self] in self?.sweep() }
        state.withLock { s in
            s.phase = .running
            s.port = port
            s.listenSource = source
            s.sweepTimer = sweep
        }
        source.source.resume()
        sweep.source.resume()
        context.logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        return port
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish for up to
    /// `gracePeriod`, closes idle connections at once, then closes whatever is left.
    /// Returns when every connection is closed. Calling it again waits for the first call.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            shutdown(gracePeriod: gracePeriod) { continuation.resume() }
        }
    }

    /// The same graceful shutdown without Swift concurrency: it runs on Dispatch queues, so it
    /// completes while every cooperative thread is held by handlers, and `completion` is
    /// called on a server queue once every connection is closed and the port is free (it may
    /// end the process). Calling it again, or during a shutdown, calls `completion` when that
    /// shutdown completes.
    public func shutdown(gracePeriod: Duration = .seconds(10), then completion: @escaping @Sendable () -> Void) {
        enum Step { case drain([Connection]), wait, finish }
        let step: Step = state.withLock { s in
            switch s.phase {
            case .created:
                s.phase = .draining
                s.listenerClosed = true
                s.stopCallbacks.append(completion)
                return .finish
            case .draining:
                s.stopCallbacks.append(completion)
                return .wait
            case .stopped:
                return .finish
            case .running:
                s.phase = .draining
                s.stopCallbacks.append(completion)
                if s.acceptPaused {
                    s.listenSource?.source.resume()
                    s.acceptPaused = false
                }
                s.listenSource?.source.cancel()
                s.listenSource = nil
                return .drain(Array(s.connections.values))
            }
        }
        switch step {
        case .wait:
            return
        case .finish:
            acceptQueue.async { [self] in
                if !finishIfDrained() { completion() }  // already stopped: answer at once
            }
        case .drain(let connections):
            context.logger.info("shutting down", metadata: ["connections": "\(connections.count)"])
            for connection in connections { connection.beginDraining() }
            listenerClosed.notify(queue: acceptQueue) { [self] in
                state.withLock { $0.listenerClosed = true }
                finishIfDrained()
            }
            acceptQueue.asyncAfter(deadline: .now() + .nanoseconds(Int(gracePeriod.nanoseconds))) { [self] in
                forceCloseRemaining()
            }
        }
    }

    /// Returns once `shutdown` has completed.
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { s in
                if s.phase == .stopped { return true }
                s.stopCallbacks.append { continuation.resume() }
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    /// Installs handlers so that each of `signals` (SIGTERM and SIGINT by default) starts a
    /// graceful shutdown instead of killing the process; `completion` is called when it has
    /// completed (on a server queue, so it runs even while every cooperative thread is busy:
    /// the place to flush, close and `exit`). The handlers are registered with the kernel when
    /// this returns (a signal ignored before that would be lost).
    public func shutdownOnSignals(
        _ signals: [Int32] = [SIGTERM, SIGINT], gracePeriod: Duration = .seconds(10),
        then completion: (@Sendable () -> Void)? = nil
    ) {
        let registered = DispatchGroup()
        for number in signals {
            signal(number, SIG_IGN)
            let source = SendableSource(DispatchSource.makeSignalSource(signal: number, queue: acceptQueue))
            source.source.setEventHandler { [weak self] in
                guard let self else { return }
                context.logger.notice("signal received, shutting down", metadata: ["signal": "\(number)"])
                shutdown(gracePeriod: gracePeriod) { completion?() }
            }
            registered.enter()
            source.source.setRegistrationHandler { registered.leave() }
            source.source.resume()
            state.withLock { $0.signalSources.append(source) }
        }
        _ = registered.wait(timeout: .now() + .seconds(2))
    }

    // MARK: Accepting

    private func acceptPending(_ listener: Int32) {
        for _ in 0..<256 {
            let fd: Int32
            do {
                guard let accepted = try Socket.accept(listener) else { return }
                fd = accepted
            } catch {
                // EMFILE/ENFILE: the pending connection stays queued and the level-triggered
                // source would spin; pause accepting briefly instead.
                context.logger.error("accept failed", metadata: ["error": "\(error)"])
                pauseAccepting(for: .milliseconds(100))
                return
            }
            enum Admission { case admitted(Connection), full, closing }
            // The lock also orders admission against `shutdown`: a connection admitted here is
            // in the set that shutdown drains.
            let admission: Admission = state.withLock { s in
                guard s.phase == .running else { return .closing }
                guard s.connections.count < context.configuration.maxConnections else { return .full }
                s.nextConnectionID += 1
                let connection = Connection(id: s.nextConnectionID, fd: fd, context: context) { [weak self] closed in
                    self?.connectionClosed(closed)
                }
                s.connections[connection.id] = connection
                return .admitted(connection)
            }
            switch admission {
            case .admitted(let connection):
                context.counters.connectionsAccepted.increment()
                try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, name: "TCP_NODELAY")
                connection.start()
            case .full:
                context.counters.connectionsRejectedOverCapacity.increment()
                rejectOverCapacity(fd)
            case .closing:
                Socket.close(fd)
            }
        }
    }

    /// Beyond `maxConnections`: a best-effort 503 on the fresh socket, then close.
    private func rejectOverCapacity(_ fd: Int32) {
        let response = HTTPResponse.problem(
            status: .serviceUnavailable, detail: "The server is at its connection limit; retry later.",
            requestID: context.requestIDs.next())
        var bytes = ResponseSerializer.head(
            status: response.status, headers: response.headers, framing: .contentLength(response.bodyBytes?.count ?? 0),
            keepAlive: false, clientVersion: .http1_1, requestID: nil)
        bytes.append(contentsOf: response.bodyBytes ?? [])
        _ = bytes.withUnsafeBytes { try? Socket.send(fd, $0) }
        Socket.shutdownWrite(fd)
        Socket.close(fd)
        context.logger.warning("connection limit reached, answered 503", metadata: ["limit": "\(context.configuration.maxConnections)"])
    }

    private func pauseAccepting(for delay: DispatchTimeInterval) {
        state.withLock { s in
            guard let source = s.listenSource, !s.acceptPaused else { return }
            source.source.suspend()
            s.acceptPaused = true
        }
        acceptQueue.asyncAfter(deadline: .now() + delay) { [weak self] in
            self?.state.withLock { s in
                guard s.acceptPaused else { return }
                s.acceptPaused = false
                s.listenSource?.source.resume()
            }
        }
    }

    private func connectionClosed(_ connection: Connection) {
        let draining = state.withLock { s in
            s.connections[connection.id] = nil
            return s.phase == .draining && s.connections.isEmpty
        }
        if draining { acceptQueue.async { [self] in finishIfDrained() } }
    }

    // MARK: Timeouts and shutdown

    private func sweepInterval() -> DispatchTimeInterval {
        let c = context
        let shortest = [c.headerTimeout, c.bodyTimeout, c.requestReadTimeout, c.idleTimeout, c.sendTimeout, c.lingerTimeout].min() ?? 1_000_000_000
        return .nanoseconds(Int(min(max(shortest / 4, 10_000_000), 500_000_000)))
    }

    private func sweep() {
        let now = DispatchTime.now().uptimeNanoseconds
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections { connection.checkDeadline(now) }
    }

    /// Grace period over: closes what is still open, and stops for good a little later even
    /// if some connection cannot finish closing.
    private func forceCloseRemaining() {
        let left: [Connection]? = state.withLock { s in
            guard s.phase == .draining else { return nil }
            return Array(s.connections.values)
        }
        guard let left, !left.isEmpty else { return }
        context.logger.warning("grace period over, closing connections", metadata: ["connections": "\(left.count)"])
        for connection in left { connection.forceClose() }
        acceptQueue.asyncAfter(deadline: .now() + Self.forceCloseTimeout) { [self] in
            finishStopping(abandoning: true)
        }
    }

    /// Stops when draining is complete (listener closed, no connection left). On `acceptQueue`.
    /// - Returns: whether this call stopped the server.
    @discardableResult
    private func finishIfDrained() -> Bool {
        let drained = state.withLock { $0.phase == .draining && $0.listenerClosed && $0.connections.isEmpty }
        return drained && finishStopping(abandoning: false)
    }

    /// On `acceptQueue`. Returns false when the server had stopped already.
    @discardableResult
    private func finishStopping(abandoning: Bool) -> Bool {
        let stopped: (callbacks: [@Sendable () -> Void], abandoned: Int)? = state.withLock { s in
            guard s.phase == .draining else { return nil }
            s.phase = .stopped
            s.sweepTimer?.source.cancel()
            s.sweepTimer = nil
            for source in s.signalSources { source.source.cancel() }
            s.signalSources = []
            defer { s.stopCallbacks = [] }
            return (s.stopCallbacks, s.connections.count)
        }
        guard let stopped else { return false }
        if abandoning, stopped.abandoned > 0 {
            context.logger.error("connections did not close after the grace period; stopping without them", metadata: [
                "connections": "\(stopped.abandoned)",
            ])
        }
        context.accessLog?.flush()
        context.logger.info("stopped")
        for callback in stopped.callbacks { callback() }
        return true
    }
}

/// A Dispatch source handed between threads: libdispatch objects are thread-safe, but Linux's
/// Dispatch module does not mark them Sendable.
struct SendableSource<Source>: @unchecked Sendable {
    let source: Source
    init(_ source: Source) { self.source = source }
}
