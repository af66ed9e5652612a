import CZlib
import HTTPServer

/// gzip for JSON answers a client accepts it for (`Accept-Encoding: gzip`). It lives in the
/// service, not in HTTPServer: only the service knows which bodies are worth compressing (JSON,
/// not image bytes that are compressed already), and the generic server stays free of zlib.
enum ResponseCompression {
    /// Bodies smaller than this go out as they are: the gzip frame and the work cost more than
    /// the few bytes saved.
    static let minimumBytes = 1024
    /// zlib's fastest level: the large answers are embeddings, float text for which higher
    /// levels save little and cost the handler's thread several times as long.
    static let level: Int32 = 1

    /// Compresses `response` in place when it is JSON of at least `minimumBytes` and `request`
    /// accepts gzip; every such answer says `Vary: Accept-Encoding` so caches keep both forms.
    static func apply(_ response: inout HTTPResponse, request: HTTPRequest) {
        guard case .bytes(let body) = response.body, body.count >= minimumBytes,
              let type = response.headers["Content-Type"], isJSON(type), !response.headers.contains("Content-Encoding")
        else { return }
        response.headers.add("Vary", "Accept-Encoding")
        guard acceptsGzip(request.headers.values("Accept-Encoding")), let compressed = gzip(body) else { return }
        response.headers.set("Content-Encoding", "gzip")
        response.body = .bytes(compressed)
    }

    static func isJSON(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json")
    }

    /// True when a listed coding is `gzip` (or `x-gzip`, or `*`) with a q-value above 0.
    static func acceptsGzip(_ fields: [String]) -> Bool {
        for item in fields.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, ["gzip", "x-gzip", "*"].contains(coding) else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }

    /// `bytes` in the gzip format (RFC 1952), or nil if zlib failed (the answer then goes out
    /// uncompressed).
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
