/// Where the server listens and every bound it enforces. Each value is named and defaulted;
/// `config/` documents them for deployments.
public struct HTTPServerConfiguration: Sendable {
    /// Numeric IPv4/IPv6 address or host name to bind ("::" = every IPv6 and IPv4 address).
    public var host: String
    /// TCP port; 0 binds an ephemeral port, readable from `HTTPServer.port` after `start()`.
    public var port: Int
    /// Pending-connection queue length passed to listen(2).
    public var backlog: Int32
    /// Parser limits (request line, header section, default body size).
    public var limits: HTTPLimits
    /// Open connections beyond which a new client gets 503 and is closed.
    public var maxConnections: Int
    /// Time from a request's first byte to the end of its header section (slowloris bound).
    public var headerTimeout: Duration
    /// Longest silence between two reads of a request body.
    public var bodyTimeout: Duration
    /// Time from a request's first byte to its last body byte, however steadily the bytes come:
    /// the per-read timeouts above re-arm on every byte, so without this bound a client sending
    /// one byte just before each expires would hold a connection slot forever. Answered 408.
    /// Set it above the largest body divided by the slowest upload rate to serve (the default
    /// 60 s passes 16 MiB at 2.24 Mbit/s).
    public var requestReadTimeout: Duration
    /// Longest wait for the next request on a kept-alive connection.
    public var idleTimeout: Duration
    /// Longest a response may sit unsent because the client does not read.
    public var sendTimeout: Duration
    /// After a refusal, how long input is drained before closing, so the client reads the
    /// refusal instead of a reset.
    public var lingerTimeout: Duration
    /// Where access-log lines go, and their buffer's bounds.
    public var accessLog: HTTPAccessLogConfiguration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        backlog: Int32 = 1024,
        limits: HTTPLimits = HTTPLimits(),
        maxConnections: Int = 1024,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        sendTimeout: Duration = .seconds(30),
        lingerTimeout: Duration = .seconds(2),
        requestReadTimeout: Duration = .seconds(60),
        accessLog: HTTPAccessLogConfiguration = HTTPAccessLogConfiguration()
    ) {
        self.host = host
        self.port = port
        self.backlog = backlog
        self.limits = limits
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.sendTimeout = sendTimeout
        self.lingerTimeout = lingerTimeout
        self.requestReadTimeout = requestReadTimeout
        self.accessLog = accessLog
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
