import Dispatch
import Glibc
import Logging

/// One client connection: reads with a Dispatch read source, parses, runs the handler (in a
/// Task, off the I/O path, or at once on `queue` for immediate routes), writes the response in
/// request order, and enforces the timeouts.
///
/// Thread model: every mutable property is touched only on `queue`, a serial queue of its own.
/// Async handlers run in Swift concurrency and hop back with `queue.async`. That confinement is
/// what the `@unchecked Sendable` stands for. Pipelined requests are answered one at a time, so
/// responses leave in request order by construction; bytes of later requests wait in the parser.
final class Connection: @unchecked Sendable {
    enum Phase {
        /// No byte of a next request yet (idle timeout).
        case idle
        /// Part of a head received (header timeout from its first byte).
        case head
        /// Head done, body arriving (timeout between reads).
        case body
        /// The handler runs; nothing is read into the parser until it answers.
        case handling
        /// A response is being written (send timeout while the client does not read).
        case responding
        /// A refusal was sent; input is discarded until the client closes or the linger time ends.
        case lingering
    }

    /// Which bound `deadline` enforces, so its expiry is answered and counted as what it is.
    private enum Timeout {
        case idle, header, body, requestRead, send, linger
    }

    /// The request being read or handled.
    private struct Exchange {
        var head: HTTPRequestHead
        var requestID: String
        var match: Router.Match
        var body: [UInt8] = []
        var started: UInt64
    }

    let id: UInt64
    let queue: DispatchQueue
    private let fd: Int32
    private let context: ServerContext
    private let onClose: @Sendable (Connection) -> Void
    private var parser: HTTPRequestParser
    private var readSource: DispatchSourceRead?
    private var readSuspended = false
    private var writeSource: DispatchSourceWrite?
    private var writeSourceResumed = false
    private let sources = DispatchGroup()
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var output: [UInt8] = []
    private var outputOffset = 0
    /// Called once the output is in the socket (true) or the connection closed first (false).
    private var onDrained: ((Bool) -> Void)?
    private var phase = Phase.idle
    private var deadline: UInt64 = .max
    private var deadlineKind = Timeout.idle
    /// When the request being read must be complete (`requestReadTimeout` after its first byte).
    private var requestDeadline: UInt64 = .max
    private var exchange: Exchange?
    private var requestStarted: UInt64 = 0
    /// True while `processInput` runs: a response finished synchronously inside it (immediate
    /// route, 404) lets the running loop take the next pipelined request instead of recursing,
    /// so a long pipeline of such requests costs no stack depth.
    private var processingInput = false
    private var readClosed = false
    private var closed = false
    private var draining = false

    /// Read chunk; large enough for a typical head plus a small body in one call.
    private static let readBufferSize = 16 * 1024

    init(id: UInt64, fd: Int32, context: ServerContext, onClose: @escaping @Sendable (Connection) -> Void) {
        self.id = id
        self.fd = fd
        self.context = context
        self.onClose = onClose
        parser = HTTPRequestParser(limits: context.configuration.limits)
        // Targeting the (non-overcommit) global queue caps the I/O threads at about the core
        // count; a plain serial queue would overcommit and start a thread per busy connection
        // (measured: 154 threads and -10% requests/s at 64 connections).
        queue = DispatchQueue(label: "http.connection", target: .global())
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    func start() {
        queue.async { [self] in
            // A shutdown racing the accept may have closed this connection already.
            guard !closed else { return }
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            sources.enter()
            source.setEventHandler { [weak self] in self?.readAvailable() }
            source.setCancelHandler { [sources] in sources.leave() }
            readSource = source
            source.resume()
            arm(.idle, after: context.idleTimeout)
        }
    }

    /// Called by the server's sweep. A request cut while being read gets a 408 (then the
    /// connection lingers and closes); an idle connection, or one whose client does not read,
    /// is closed without a word.
    func checkDeadline(_ time: UInt64) {
        queue.async { [self] in
            guard !closed, time >= deadline else { return }
            let counters = context.counters
            let configuration = context.configuration
            switch deadlineKind {
            case .idle:
                counters.idleTimeouts.increment()
                close()
            case .send:
                counters.sendTimeouts.increment()
                close()
            case .linger:
                close()
            case .header:
                counters.headerTimeouts.increment()
                refuse(.requestTimeout, "The request head was not complete within the header timeout (\(configuration.headerTimeout)) of its first byte.")
            case .body:
                counters.bodyTimeouts.increment()
                refuse(.requestTimeout, "No body bytes arrived for the body timeout (\(configuration.bodyTimeout)).")
            case .requestRead:
                counters.requestReadTimeouts.increment()
                refuse(.requestTimeout, "The request was not complete within the request read timeout (\(configuration.requestReadTimeout)) of its first byte.")
            }
        }
    }

    /// Graceful shutdown: idle connections close now, busy ones after their current response.
    func beginDraining() {
        queue.async { [self] in
            guard !closed else { return }
            draining = true
            if phase == .idle && parser.bufferedByteCount == 0 { close() }
        }
    }

    /// Shutdown deadline passed: close whatever state the connection is in.
    func forceClose() {
        queue.async { [self] in close() }
    }

    // MARK: Reading

    private func readAvailable() {
        guard !closed else { return }
        let result: Socket.ReceiveResult
        do {
            result = try Socket.receive(fd, into: readBuffer)
        } catch {
            // ECONNRESET and friends: the client went away, a normal end.
            close()
            return
        }
        switch result {
        case .wouldBlock:
            return
        case .endOfStream:
            readClosed = true
            cancelReadSource()
            switch phase {
            case .idle, .head, .body, .lingering: close()
            case .handling, .responding: break  // answer what was asked, then close
            }
        case .received(let count):
            let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
            switch phase {
            case .lingering:
                return
            case .handling, .responding:
                parser.append(bytes)
                // Backpressure: a client pipelining faster than we answer waits in its socket.
                if parser.bufferedByteCount > context.configuration.limits.maxHeaderBytes + Self.readBufferSize {
                    suspendReading()
                }
            case .idle, .head, .body:
                parser.append(bytes)
                processInput()
            }
        }
    }

    private func processInput() {
        guard !processingInput else { return }
        processingInput = true
        defer { processingInput = false }
        while !closed {
            switch phase {
            case .handling, .responding, .lingering: return
            case .idle, .head, .body: break
            }
            if phase == .idle, parser.bufferedByteCount > 0 { beginReadingRequest() }
            let event: HTTPRequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                refuse(error)
                return
            }
            guard let event else { break }
            switch event {
            case .head(let head):
                beginExchange(head)
            case .body(let bytes):
                exchange?.body.append(contentsOf: bytes)
                armReadDeadline(.body, at: saturatingAdd(now(), context.bodyTimeout))
            case .end:
                completeExchange()
            }
        }
        guard !closed else { return }
        if readClosed, phase == .idle || phase == .head || phase == .body { close() }
    }

    /// The first byte of a request is here: from now on its head must be complete within the
    /// header timeout, and the whole request within the request read timeout.
    private func beginReadingRequest() {
        phase = .head
        requestStarted = now()
        requestDeadline = saturatingAdd(requestStarted, context.requestReadTimeout)
        armReadDeadline(.header, at: saturatingAdd(requestStarted, context.headerTimeout))
    }

    private func beginExchange(_ head: HTTPRequestHead) {
        let requestID = RequestIDGenerator.sanitized(head.headers["x-request-id"]) ?? context.requestIDs.next()
        let match = context.router.match(method: head.method, path: head.path)
        exchange = Exchange(head: head, requestID: requestID, match: match, started: requestStarted)
        phase = .body
        armReadDeadline(.body, at: saturatingAdd(now(), context.bodyTimeout))
        switch match {
        case .found(let route, _):
            do {
                try parser.setBodyLimit(route.bodyLimit ?? context.configuration.limits.maxBodyBytes)
            } catch {
                refuse(error)
                return
            }
            if head.expectsContinue { send(ResponseSerializer.continueResponse, then: nil) }
        case .notFound, .methodNotAllowed:
            // No handler will read this body: answer now and close instead of reading it.
            if head.bodyFraming != .none { respondToUnroutable(match, closing: true) }
        }
    }

    private func completeExchange() {
        guard let exchange else { return }
        guard case .found(let route, let parameters) = exchange.match else {
            respondToUnroutable(exchange.match, closing: false)
            return
        }
        phase = .handling
        deadline = .max
        requestDeadline = .max
        let head = exchange.head
        let request = HTTPRequest(
            method: head.method, path: head.path, query: head.query, version: head.version, headers: head.headers,
            body: exchange.body, pathParameters: parameters, requestID: exchange.requestID)
        self.exchange?.body = []
        let logger = context.logger
        switch route.execution {
        case .immediate(let handler):
            let response: HTTPResponse
            do {
                response = try handler(request)
            } catch {
                response = Self.response(to: error, of: request, logger: logger)
            }
            respond(response)
        case .async(let handler):
            Task { [self] in
                let response: HTTPResponse
                do {
                    response = try await handler(request)
                } catch {
                    response = Self.response(to: error, of: request, logger: logger)
                }
                queue.async { [self] in respond(response) }
            }
        }
    }

    /// What a handler's thrown error answers: an `HTTPError` its own status, anything else a
    /// 500 whose detail does not leak the error's text (that goes to the log).
    private static func response(to error: any Error, of request: HTTPRequest, logger: Logger) -> HTTPResponse {
        if let error = error as? HTTPError {
            var problem = HTTPResponse.problem(status: error.status, detail: error.detail, requestID: request.requestID, type: error.type)
            for field in error.headers { problem.headers.add(field.name, field.value) }
            return problem
        }
        logger.error("handler failed", metadata: ["request_id": "\(request.requestID)", "path": "\(request.path)", "error": "\(error)"])
        return .problem(status: .internalServerError, detail: "The server failed to handle the request.", requestID: request.requestID)
    }

    private func respondToUnroutable(_ match: Router.Match, closing: Bool) {
        guard let exchange else { return }
        switch match {
        case .methodNotAllowed(let allowed):
            var response = HTTPResponse.problem(
                status: .methodNotAllowed, detail: "\(exchange.head.method) is not allowed on \(exchange.head.path).",
                requestID: exchange.requestID)
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            respond(response, forceClose: closing)
        default:
            respond(.problem(status: .notFound, detail: "No route for \(exchange.head.path).", requestID: exchange.requestID), forceClose: closing)
        }
    }

    /// Answers a request the parser refused, then lingers and closes.
    private func refuse(_ error: HTTPParseError) {
        context.counters.refusedRequests.increment()
        refuse(error.status, error.description)
    }

    /// Answers the request being read with a problem (a parse error, a read timeout), then
    /// lingers and closes: the rest of its bytes cannot be trusted or are not worth waiting for.
    private func refuse(_ status: HTTPStatus, _ detail: String) {
        let requestID = exchange?.requestID ?? context.requestIDs.next()
        if exchange == nil {
            let head = HTTPRequestHead(
                method: HTTPMethod(rawValue: "-"), target: "-", path: "-", query: nil, version: .http1_1,
                headers: HTTPHeaders(), bodyFraming: .none, keepAlive: false, expectsContinue: false)
            exchange = Exchange(head: head, requestID: requestID, match: .notFound, started: requestStarted == 0 ? now() : requestStarted)
        }
        respond(.problem(status: status, detail: detail, requestID: requestID), forceClose: true)
    }

    // MARK: Writing

    private func respond(_ response: HTTPResponse, forceClose: Bool = false) {
        guard !closed, let exchange else { return }
        let head = exchange.head
        // A half-closed client still gets answers to the requests it already sent; only the
        // last of them announces the close.
        let keepAlive = head.keepAlive && !forceClose && !draining && !(readClosed && parser.bufferedByteCount == 0)
        let isHead = head.method == .head
        let noBody = ResponseSerializer.statusHasNoBody(response.status)
        context.counters.requests.increment()
        phase = .responding
        requestDeadline = .max
        arm(.send, after: context.sendTimeout)
        switch response.body {
        case .bytes(let body):
            let framing: ResponseSerializer.Framing = noBody ? .noBody : .contentLength(body.count)
            var bytes = ResponseSerializer.head(
                status: response.status, headers: response.headers, framing: framing, keepAlive: keepAlive,
                clientVersion: head.version, requestID: exchange.requestID, reserve: isHead || noBody ? 0 : body.count)
            if !isHead && !noBody { bytes.append(contentsOf: body) }
            logAccess(exchange, status: response.status, bytes: isHead || noBody ? 0 : body.count)
            send(bytes) { [self] drained in if drained { finishExchange(keepAlive: keepAlive, refused: forceClose) } }
        case .stream(let produce):
            let chunked = head.version.minor >= 1
            let streamKeepAlive = keepAlive && chunked
            let framing: ResponseSerializer.Framing = noBody ? .noBody : (chunked ? .chunked : .untilClose)
            let bytes = ResponseSerializer.head(
                status: response.status, headers: response.headers, framing: framing, keepAlive: streamKeepAlive,
                clientVersion: head.version, requestID: exchange.requestID)
            if isHead || noBody {
                logAccess(exchange, status: response.status, bytes: 0)
                send(bytes) { [self] drained in if drained { finishExchange(keepAlive: streamKeepAlive, refused: false) } }
                return
            }
            send(bytes, then: nil)
            deadline = .max  // the producer may pause; each chunk re-arms the send timeout
            stream(produce, chunked: chunked, keepAlive: streamKeepAlive, exchange: exchange, status: response.status)
        }
    }

    private func stream(
        _ produce: @escaping @Sendable (HTTPBodyWriter) async throws -> Void, chunked: Bool, keepAlive: Bool,
        exchange: Exchange, status: HTTPStatus
    ) {
        let writer = HTTPBodyWriter { [self] bytes in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queue.async { [self] in
                    guard !closed else {
                        continuation.resume(throwing: HTTPBodyWriter.ConnectionClosed())
                        return
                    }
                    arm(.send, after: context.sendTimeout)
                    send(chunked ? ResponseSerializer.chunk(bytes) : bytes) { [self] drained in
                        deadline = .max
                        if drained {
                            continuation.resume()
                        } else {
                            continuation.resume(throwing: HTTPBodyWriter.ConnectionClosed())
                        }
                    }
                }
            }
        }
        let logger = context.logger
        Task { [self] in
            let failed: Bool
            do {
                try await produce(writer)
                failed = false
            } catch {
                failed = true
                if !(error is HTTPBodyWriter.ConnectionClosed) {
                    logger.error("stream producer failed", metadata: ["request_id": "\(exchange.requestID)", "error": "\(error)"])
                }
            }
            queue.async { [self] in
                guard !closed else { return }
                logAccess(exchange, status: status, bytes: nil)
                // A failed stream cannot change its status any more; closing without the last
                // chunk tells the client the body is incomplete.
                if failed || !chunked {
                    close()
                    return
                }
                arm(.send, after: context.sendTimeout)
                send(ResponseSerializer.lastChunk) { [self] drained in if drained { finishExchange(keepAlive: keepAlive, refused: false) } }
            }
        }
    }

    private func finishExchange(keepAlive: Bool, refused: Bool) {
        exchange = nil
        if refused {
            linger()
            return
        }
        guard keepAlive, !closed, !draining else {
            close()
            return
        }
        phase = .idle
        arm(.idle, after: context.idleTimeout)
        if readSuspended { resumeReading() }
        processInput()
    }

    /// Half-closes and discards input until the client closes, so a client still sending the
    /// body of a refused request reads the refusal instead of a connection reset.
    private func linger() {
        guard !closed else { return }
        if readClosed {
            close()
            return
        }
        phase = .lingering
        Socket.shutdownWrite(fd)
        arm(.linger, after: context.lingerTimeout)
        if readSuspended { resumeReading() }
    }

    private func send(_ bytes: [UInt8], then completion: ((Bool) -> Void)?) {
        guard !closed else {
            completion?(false)
            return
        }
        if outputOffset == output.count {
            output = bytes
            outputOffset = 0
        } else {
            output.append(contentsOf: bytes)
        }
        if let completion {
            if let previous = onDrained {
                onDrained = { drained in
                    previous(drained)
                    completion(drained)
                }
            } else {
                onDrained = completion
            }
        }
        flush()
    }

    private func flush() {
        while outputOffset < output.count {
            let written: Int
            do {
                written = try output.withUnsafeBytes { all throws(SocketError) in
                    try Socket.send(fd, UnsafeRawBufferPointer(rebasing: all[outputOffset...]))
                }
            } catch {
                close()  // EPIPE/ECONNRESET: the client left; a normal end
                return
            }
            if written == 0 {
                armWriteSource()
                return
            }
            outputOffset += written
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        if writeSourceResumed {
            writeSource?.suspend()
            writeSourceResumed = false
        }
        if let completion = onDrained {
            onDrained = nil
            completion(true)
        }
    }

    private func armWriteSource() {
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
            sources.enter()
            source.setEventHandler { [weak self] in self?.flush() }
            source.setCancelHandler { [sources] in sources.leave() }
            writeSource = source
        }
        if !writeSourceResumed {
            writeSource?.resume()
            writeSourceResumed = true
        }
    }

    private func suspendReading() {
        guard let readSource, !readSuspended else { return }
        readSource.suspend()
        readSuspended = true
    }

    private func resumeReading() {
        guard let readSource, readSuspended else { return }
        readSource.resume()
        readSuspended = false
    }

    private func cancelReadSource() {
        guard let source = readSource else { return }
        if readSuspended {
            source.resume()
            readSuspended = false
        }
        source.cancel()
        readSource = nil
    }

    // MARK: Closing

    /// Cancels the sources and closes the descriptor once their cancel handlers ran (closing
    /// earlier could let a reused descriptor number receive this connection's events).
    private func close() {
        guard !closed else { return }
        closed = true
        deadline = .max
        cancelReadSource()
        if let source = writeSource {
            if !writeSourceResumed { source.resume() }
            source.cancel()
            writeSource = nil
        }
        if let completion = onDrained {
            onDrained = nil
            completion(false)
        }
        output = []
        exchange = nil
        let fd = self.fd
        sources.notify(queue: queue) { [self] in
            Socket.close(fd)
            onClose(self)
        }
    }

    // MARK: Deadlines

    private func arm(_ kind: Timeout, after timeout: UInt64) {
        deadline = saturatingAdd(now(), timeout)
        deadlineKind = kind
    }

    /// Arms a per-read deadline (header, body) unless the request's own deadline comes first.
    private func armReadDeadline(_ kind: Timeout, at time: UInt64) {
        if requestDeadline <= time {
            deadline = requestDeadline
            deadlineKind = .requestRead
        } else {
            deadline = time
            deadlineKind = kind
        }
    }

    private func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    // MARK: Logging

    /// Hands the exchange to the observer and the access log; neither formats nor writes here.
    private func logAccess(_ exchange: Exchange, status: HTTPStatus, bytes: Int?) {
        guard context.accessLog != nil || context.observer != nil else { return }
        let nanoseconds = now() &- exchange.started
        if let observer = context.observer {
            var route: String?
            if case .found(let matched, _) = exchange.match { route = matched.pattern.text }
            observer(HTTPAccessRecord(
                method: exchange.head.method, path: exchange.head.path, route: route, status: status.code,
                bytes: bytes, duration: .nanoseconds(Int64(nanoseconds)), requestID: exchange.requestID))
        }
        context.accessLog?.append(AccessLogEntry(
            method: exchange.head.method, path: exchange.head.path, status: status.code, bytes: bytes,
            durationNanoseconds: nanoseconds, requestID: exchange.requestID, time: time(nil)))
    }

    private func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
