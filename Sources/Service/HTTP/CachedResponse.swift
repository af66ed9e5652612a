import HTTPServer

/// Answers for bytes that a validator (an ETag) identifies: the bytes, or 304 Not Modified when
/// the client already holds them (`If-None-Match`), so a revisit costs a header exchange.
enum CachedResponse {
    /// `body` with `headers`, its strong `etag` (quoted) and `cacheControl`; 304 without the body
    /// when `request`'s If-None-Match lists `etag` or is `*`.
    static func answer(
        _ request: HTTPRequest, body: [UInt8], etag: String, cacheControl: String, headers: HTTPHeaders
    ) -> HTTPResponse {
        var headers = headers
        headers.set("ETag", etag)
        headers.set("Cache-Control", cacheControl)
        if matches(request.headers["If-None-Match"], etag) {
            headers.remove("Content-Type")
            return HTTPResponse(status: .notModified, headers: headers)
        }
        return HTTPResponse(status: .ok, headers: headers, body: body)
    }

    /// RFC 9110's weak comparison, which If-None-Match uses: a `W/` prefix is ignored.
    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        return ifNoneMatch.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/\(etag)"
        }
    }
}
