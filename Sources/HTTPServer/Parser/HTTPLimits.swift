/// Size limits the parser enforces before it buffers anything unbounded. Each one is a named
/// value with a default so a deployment can tune it (documented in config/); the defaults
/// follow what common servers ship (nginx: 8 KiB lines, ~32 KiB of headers).
/// Also reachable as `HTTPServer.Limits`.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (method, target, version), in bytes, before answering 414.
    public var maxRequestLineBytes: Int
    /// Longest header block (request line and every field line), in bytes, before answering 431.
    /// Trailer sections of chunked bodies have the same limit.
    public var maxHeaderBytes: Int
    /// Most header field lines in one request (or trailer section) before answering 431.
    public var maxHeaderCount: Int
    /// Largest body, in bytes, for routes that set no limit of their own (413 beyond it).
    public var maxBodyBytes: Int
    /// Longest chunk-size line of a chunked body (size and extensions) before answering 400.
    public var maxChunkLineBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        maxChunkLineBytes: Int = 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}
