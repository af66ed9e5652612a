/// Turns a response head into bytes (RFC 9112 §4, §6). The server owns framing and connection
/// fields, so a handler's `Content-Length`, `Transfer-Encoding`, `Connection` or `Date` are
/// replaced, and a field whose name or value could split the response (CR, LF, NUL) is dropped.
enum ResponseSerializer {
    enum Framing {
        case contentLength(Int)
        case chunked
        /// HTTP/1.0 streaming: the body ends when the connection closes.
        case untilClose
        /// 1xx, 204 and 304 carry no body and no length.
        case noBody
    }

    private static let ownedFields = ["content-length", "transfer-encoding", "connection", "date"]

    static func head(
        status: HTTPStatus, headers: HTTPHeaders, framing: Framing, keepAlive: Bool,
        clientVersion: HTTPVersion, requestID: String?, reserve: Int = 0
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + headers.count * 40 + reserve)
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        out.append(contentsOf: String(status.code).utf8)
        out.append(ASCII.space)
        out.append(contentsOf: status.reasonPhrase.utf8)
        out.append(contentsOf: "\r\nDate: ".utf8)
        out.append(contentsOf: HTTPDate.now())
        out.append(contentsOf: "\r\n".utf8)
        var sawRequestID = false
        for field in headers {
            guard isValidName(field.name), isValidValue(field.value),
                !ownedFields.contains(where: { ASCII.caseInsensitiveEquals($0, field.name) })
            else { continue }
            if ASCII.caseInsensitiveEquals(field.name, "x-request-id") { sawRequestID = true }
            append(field.name, field.value, to: &out)
        }
        if let requestID, !sawRequestID { append("X-Request-Id", requestID, to: &out) }
        switch framing {
        case .contentLength(let length): append("Content-Length", String(length), to: &out)
        case .chunked: append("Transfer-Encoding", "chunked", to: &out)
        case .untilClose, .noBody: break
        }
        if !keepAlive {
            append("Connection", "close", to: &out)
        } else if clientVersion.minor == 0 {
            append("Connection", "keep-alive", to: &out)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// The interim response that tells an `Expect: 100-continue` client to send its body.
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// One chunk of a chunked body (RFC 9112 §7.1).
    static func chunk(_ bytes: [UInt8]) -> [UInt8] {
        var out = Array(String(bytes.count, radix: 16).utf8)
        out.reserveCapacity(out.count + bytes.count + 4)
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: bytes)
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    static let lastChunk = Array("0\r\n\r\n".utf8)

    static func statusHasNoBody(_ status: HTTPStatus) -> Bool {
        (100..<200).contains(status.code) || status.code == 204 || status.code == 304
    }

    private static func append(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(ASCII.isToken)
    }

    private static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy(ASCII.isFieldValueByte)
    }
}
