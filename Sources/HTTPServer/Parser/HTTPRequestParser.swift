/// An incremental HTTP/1.1 request parser (RFC 9112), a pure function over bytes: `append`
/// whatever the socket delivered, then call `next()` until it returns nil (needs more bytes).
/// Events come in order `head`, zero or more `body`, `end` — then the next pipelined request.
///
/// Every size is bounded by `HTTPLimits` while bytes arrive, so a peer can never make the
/// buffer grow past those limits plus one read. After a thrown error the parser stays failed:
/// the byte stream is no longer trustworthy and the server answers and closes.
public struct HTTPRequestParser: Sendable {
    public enum Event: Hashable, Sendable {
        case head(HTTPRequestHead)
        case body([UInt8])
        /// The request is complete; trailers are those of a chunked body (else empty).
        case end(trailers: HTTPHeaders)
    }

    public let limits: HTTPLimits
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet consumed.
    private var start = 0
    private var state: State = .head
    private var scan = BlockScan()
    private var framing: HTTPRequestHead.BodyFraming = .none
    private var bodyLimit: Int
    private var bodyReceived = 0
    private var failure: HTTPParseError?

    private enum State: Hashable, Sendable {
        case head
        case bodyStart
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case endPending
    }

    /// Progress of the search for the end of a line or a field block, relative to `start`, so
    /// bytes that trickle in are each examined once (no quadratic rescans on slow clients).
    private struct BlockScan: Hashable, Sendable {
        var scanned = 0
        var lineStart = 0
        var lines = 0
    }

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        bodyLimit = limits.maxBodyBytes
    }

    /// Bytes received and not yet turned into events.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True when no byte of a next request has been received: the connection is idle.
    public var isAtRequestBoundary: Bool { state == .head && buffer.count == start }

    /// True while the parser waits for (more of) a request head.
    public var isReadingHead: Bool { state == .head }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Sets the largest body accepted for the request whose head was just returned (a route's
    /// own limit). Throws `contentTooLarge` at once when the announced Content-Length exceeds it,
    /// so the server can answer 413 before reading any of that body.
    public mutating func setBodyLimit(_ limit: Int) throws(HTTPParseError) {
        bodyLimit = limit
        if state == .bodyStart, case .contentLength(let length) = framing, length > limit {
            let error = HTTPParseError.contentTooLarge(limit: limit)
            failure = error
            throw error
        }
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .head:
                return try headIfComplete()
            case .bodyStart:
                switch framing {
                case .none:
                    state = .head
                    return .end(trailers: HTTPHeaders())
                case .contentLength(let length):
                    if length > bodyLimit { throw .contentTooLarge(limit: bodyLimit) }
                    if length == 0 {
                        state = .head
                        return .end(trailers: HTTPHeaders())
                    }
                    state = .fixedBody(remaining: length)
                case .chunked:
                    state = .chunkSize
                }
            case .fixedBody(let remaining):
                guard let bytes = takeBody(upTo: remaining) else { return nil }
                state = bytes.count == remaining ? .endPending : .fixedBody(remaining: remaining - bytes.count)
                return .body(bytes)
            case .endPending:
                state = .head
                return .end(trailers: HTTPHeaders())
            case .chunkSize:
                guard let size = try chunkSizeIfComplete() else { return nil }
                if size == 0 {
                    state = .trailers
                } else {
                    if size > bodyLimit - bodyReceived { throw .contentTooLarge(limit: bodyLimit) }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard let bytes = takeBody(upTo: remaining) else { return nil }
                state = bytes.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)
            case .chunkDataEnd:
                guard buffer.count - start >= 2 else { return nil }
                guard buffer[start] == ASCII.cr, buffer[start + 1] == ASCII.lf else {
                    throw .missingChunkTerminator
                }
                start += 2
                state = .chunkSize
            case .trailers:
                return try trailersIfComplete()
            }
        }
    }

    private mutating func takeBody(upTo remaining: Int) -> [UInt8]? {
        let count = min(buffer.count - start, remaining)
        guard count > 0 else { return nil }
        let bytes = Array(buffer[start..<(start + count)])
        start += count
        bodyReceived += count
        return bytes
    }

    // MARK: Head

    private mutating func headIfComplete() throws(HTTPParseError) -> Event? {
        if scan.scanned == 0 {
            // RFC 9112 §2.2: ignore empty lines received before a request line.
            while buffer.count - start >= 2, buffer[start] == ASCII.cr, buffer[start + 1] == ASCII.lf {
                start += 2
            }
            if buffer.count - start < 2 { return nil }
        }
        guard let blockEnd = try fieldBlockEnd(hasRequestLine: true) else { return nil }
        let head = try HTTPHeadParser.parseHead(buffer[start..<(blockEnd - 2)])
        start = blockEnd
        framing = head.bodyFraming
        bodyLimit = limits.maxBodyBytes
        bodyReceived = 0
        state = .bodyStart
        return .head(head)
    }

    private mutating func trailersIfComplete() throws(HTTPParseError) -> Event? {
        if scan.scanned == 0 {
            guard buffer.count - start >= 2 else { return nil }
            if buffer[start] == ASCII.cr, buffer[start + 1] == ASCII.lf {
                start += 2
                state = .head
                return .end(trailers: HTTPHeaders())
            }
        }
        guard let blockEnd = try fieldBlockEnd(hasRequestLine: false) else { return nil }
        let trailers = try HTTPHeadParser.parseFieldLines(buffer[start..<(blockEnd - 2)])
        start = blockEnd
        state = .head
        return .end(trailers: trailers)
    }

    /// Finds the empty line that ends a field block beginning at `start` and returns the index
    /// just past it; enforces line-ending rules and the size and count limits on the way.
    private mutating func fieldBlockEnd(hasRequestLine: Bool) throws(HTTPParseError) -> Int? {
        var i = start + scan.scanned
        let end = buffer.count
        while i < end {
            if hasRequestLine, scan.lines == 0, i - start > limits.maxRequestLineBytes + 1 {
                throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
            }
            if i - start >= limits.maxHeaderBytes {
                throw .headerSectionTooLarge(limit: limits.maxHeaderBytes)
            }
            if buffer[i] == ASCII.lf {
                if i == start || buffer[i - 1] != ASCII.cr { throw .bareLineFeed }
                if i - 1 == start + scan.lineStart {
                    scan = BlockScan()
                    return i + 1
                }
                scan.lines += 1
                if hasRequestLine, scan.lines == 1, i - 1 - start > limits.maxRequestLineBytes {
                    throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
                }
                let fieldLines = hasRequestLine ? scan.lines - 1 : scan.lines
                if fieldLines > limits.maxHeaderCount {
                    throw .tooManyHeaderFields(limit: limits.maxHeaderCount)
                }
                scan.lineStart = i + 1 - start
            }
            i += 1
        }
        scan.scanned = i - start
        return nil
    }

    // MARK: Chunked

    /// chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1); extensions are validated and ignored.
    private mutating func chunkSizeIfComplete() throws(HTTPParseError) -> Int? {
        var i = start + scan.scanned
        let end = buffer.count
        var lineEnd: Int?
        while i < end {
            if buffer[i] == ASCII.lf {
                if i == start || buffer[i - 1] != ASCII.cr { throw .bareLineFeed }
                lineEnd = i - 1
                break
            }
            i += 1
            if i - start > limits.maxChunkLineBytes + 1 {
                throw .chunkLineTooLong(limit: limits.maxChunkLineBytes)
            }
        }
        guard let lineEnd else {
            scan.scanned = i - start
            return nil
        }
        if lineEnd - start > limits.maxChunkLineBytes { throw .chunkLineTooLong(limit: limits.maxChunkLineBytes) }
        var size = 0
        var j = start
        while j < lineEnd, let digit = ASCII.hexValue(buffer[j]) {
            if size > (Int.max - digit) / 16 { throw .invalidChunkSize }
            size = size * 16 + digit
            j += 1
        }
        if j == start { throw .invalidChunkSize }
        while j < lineEnd, ASCII.isWhitespace(buffer[j]) { j += 1 }
        if j < lineEnd {
            guard buffer[j] == ASCII.semicolon else { throw .invalidChunkSize }
            for k in j..<lineEnd where !ASCII.isFieldValueByte(buffer[k]) { throw .invalidChunkSize }
        }
        scan = BlockScan()
        start = lineEnd + 2
        return size
    }
}
