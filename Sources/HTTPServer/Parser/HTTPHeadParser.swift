/// Parses a complete head (request line and field lines, each ending in CRLF, the final empty
/// line excluded) into an `HTTPRequestHead`, and derives body framing and persistence from
/// the fields as RFC 9112 §6.3 and §9.3 prescribe. Line endings were checked while scanning.
enum HTTPHeadParser {
    static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        guard let firstLineEnd = lineEnd(in: bytes, from: bytes.startIndex) else { throw .invalidRequestLine }
        let line = bytes[bytes.startIndex..<firstLineEnd]
        guard let firstSpace = line.firstIndex(of: ASCII.space) else { throw .invalidRequestLine }
        let methodBytes = line[line.startIndex..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(ASCII.isToken) else { throw .invalidMethod }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: ASCII.space) else { throw .invalidRequestLine }
        let targetBytes = rest[rest.startIndex..<secondSpace]
        let version = try parseVersion(rest[(secondSpace + 1)...])
        let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self))
        let (path, query) = try parseTarget(targetBytes, method: method)

        let headers = try parseFieldLines(bytes[(firstLineEnd + 2)...])
        var head = HTTPRequestHead(
            method: method, target: String(decoding: targetBytes, as: UTF8.self), path: path,
            query: query, version: version, headers: headers, bodyFraming: .none,
            keepAlive: version.minor >= 1, expectsContinue: false)
        try deriveSemantics(&head)
        return head
    }

    /// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5), one per CRLF-ended line.
    static func parseFieldLines(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaders {
        var fields: [HTTPHeaderField] = []
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            guard let end = lineEnd(in: bytes, from: lineStart) else { throw .bareLineFeed }
            let line = bytes[lineStart..<end]
            lineStart = end + 2
            guard let first = line.first else { throw .invalidFieldName }
            if ASCII.isWhitespace(first) { throw .obsoleteLineFolding }
            var i = line.startIndex
            while i < line.endIndex, ASCII.isToken(line[i]) { i += 1 }
            guard i < line.endIndex, i > line.startIndex else { throw .invalidFieldName }
            if ASCII.isWhitespace(line[i]) { throw .whitespaceBeforeColon }
            guard line[i] == ASCII.colon else { throw .invalidFieldName }
            let name = String(decoding: line[line.startIndex..<i], as: UTF8.self)
            var valueStart = i + 1
            var valueEnd = line.endIndex
            while valueStart < valueEnd, ASCII.isWhitespace(line[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart, ASCII.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
            let value = line[valueStart..<valueEnd]
            guard value.allSatisfy(ASCII.isFieldValueByte) else { throw .invalidFieldValue(name: name) }
            fields.append(HTTPHeaderField(name: name, value: String(decoding: value, as: UTF8.self)))
        }
        return HTTPHeaders(fields)
    }

    /// Index of the CR of the CRLF ending the line that starts at `from`.
    private static func lineEnd(in bytes: ArraySlice<UInt8>, from: Int) -> Int? {
        var i = from
        while i + 1 < bytes.endIndex {
            if bytes[i] == ASCII.cr, bytes[i + 1] == ASCII.lf { return i }
            i += 1
        }
        return nil
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT. Any 1.x is served as HTTP/1.1 semantics allow
    /// (RFC 9110 §6.2); another major version is refused with 505.
    private static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let b = Array(bytes)
        guard b.count == 8, Array(b[0..<5]) == Array("HTTP/".utf8), ASCII.isDigit(b[5]), b[6] == 0x2E,
            ASCII.isDigit(b[7])
        else { throw .invalidVersion }
        let version = HTTPVersion(major: Int(b[5] - 0x30), minor: Int(b[7] - 0x30))
        guard version.major == 1 else { throw .unsupportedVersion(version) }
        return version
    }

    /// request-target in origin-form, absolute-form (http/https) or asterisk-form (OPTIONS only),
    /// RFC 9112 §3.2. Authority-form (CONNECT) is refused: this server is no proxy.
    private static func parseTarget(
        _ bytes: ArraySlice<UInt8>, method: HTTPMethod
    ) throws(HTTPParseError) -> (path: String, query: String?) {
        guard let first = bytes.first else { throw .invalidTarget }
        if bytes.count == 1, first == ASCII.asterisk {
            guard method == .options else { throw .invalidTarget }
            return ("*", nil)
        }
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            guard ASCII.isTargetByte(b) else { throw .invalidTarget }
            if b == ASCII.percent {
                guard i + 2 < bytes.endIndex, ASCII.hexValue(bytes[i + 1]) != nil, ASCII.hexValue(bytes[i + 2]) != nil
                else { throw .invalidTarget }
            }
            i += 1
        }
        var pathStart = bytes.startIndex
        if first != ASCII.slash {
            let schemeEnd: Int
            if startsWithIgnoringCase(bytes, "http://") {
                schemeEnd = bytes.startIndex + 7
            } else if startsWithIgnoringCase(bytes, "https://") {
                schemeEnd = bytes.startIndex + 8
            } else {
                throw .invalidTarget
            }
            pathStart = bytes[schemeEnd...].firstIndex { $0 == ASCII.slash || $0 == ASCII.questionMark } ?? bytes.endIndex
            guard pathStart > schemeEnd else { throw .invalidTarget }
        }
        let rest = bytes[pathStart...]
        let queryMark = rest.firstIndex(of: ASCII.questionMark)
        var path = String(decoding: rest[pathStart..<(queryMark ?? rest.endIndex)], as: UTF8.self)
        if path.isEmpty { path = "/" }
        let query = queryMark.map { String(decoding: rest[($0 + 1)...], as: UTF8.self) }
        return (path, query)
    }

    private static func startsWithIgnoringCase(_ bytes: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        return ASCII.equalsIgnoringCase(bytes[bytes.startIndex..<(bytes.startIndex + n)], prefix)
    }

    /// Framing, Host, Connection and Expect rules of RFC 9112 §3.2, §6.1-6.3, §9.3 and RFC 9110 §10.1.1.
    private static func deriveSemantics(_ head: inout HTTPRequestHead) throws(HTTPParseError) {
        var contentLength: Int?
        var codings: [String] = []
        var sawTransferEncoding = false
        var hosts = 0
        var close = false
        var keepAliveToken = false
        for field in head.headers {
            let name = field.name
            if ASCII.caseInsensitiveEquals(name, "content-length") {
                for element in listElements(field.value) {
                    guard !element.isEmpty, element.utf8.count <= 18, element.utf8.allSatisfy(ASCII.isDigit),
                        let value = Int(element)
                    else { throw .invalidContentLength }
                    if let contentLength, contentLength != value { throw .conflictingContentLengths }
                    contentLength = value
                }
                if contentLength == nil { throw .invalidContentLength }
            } else if ASCII.caseInsensitiveEquals(name, "transfer-encoding") {
                sawTransferEncoding = true
                codings += listElements(field.value).filter { !$0.isEmpty }.map { element in
                    let token = element.split(separator: ";", maxSplits: 1).first.map(String.init) ?? element
                    return token.trimmingWhitespace().lowercased()
                }
            } else if ASCII.caseInsensitiveEquals(name, "host") {
                hosts += 1
            } else if ASCII.caseInsensitiveEquals(name, "connection") {
                for token in listElements(field.value) {
                    if ASCII.caseInsensitiveEquals(token, "close") { close = true }
                    if ASCII.caseInsensitiveEquals(token, "keep-alive") { keepAliveToken = true }
                }
            } else if ASCII.caseInsensitiveEquals(name, "expect"), head.version.minor >= 1 {
                // RFC 9110 §10.1.1: 100-continue is the only expectation defined; HTTP/1.0
                // requests' expectations are ignored.
                guard ASCII.caseInsensitiveEquals(field.value, "100-continue") else {
                    throw .unsupportedExpectation(field.value)
                }
                head.expectsContinue = true
            }
        }
        if hosts > 1 { throw .multipleHosts }
        if hosts == 0, head.version.minor >= 1 { throw .missingHost }
        if sawTransferEncoding {
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            if head.version.minor == 0 { throw .transferEncodingInHTTP10 }
            // Only chunked is implemented; any other coding is 501 (RFC 9112 §6.1), and chunked
            // must be the final and only coding or the body length is unknowable (400).
            if let unknown = codings.first(where: { $0 != "chunked" }) { throw .unsupportedTransferCoding(unknown) }
            guard codings.count == 1 else { throw .transferEncodingNotChunkedLast }
            head.bodyFraming = .chunked
        } else if let contentLength {
            head.bodyFraming = .contentLength(contentLength)
        }
        if head.version.minor >= 1 {
            head.keepAlive = !close
        } else {
            head.keepAlive = keepAliveToken && !close
        }
        // Without a body there is nothing to wait for, so no interim 100 response.
        if head.bodyFraming == .none { head.expectsContinue = false }
    }

    /// Elements of a comma-separated list (RFC 9110 §5.6.1), trimmed of OWS.
    private static func listElements(_ value: String) -> [String] {
        value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.utf8.first, ASCII.isWhitespace(f) { s = s.dropFirst() }
        while let l = s.utf8.last, ASCII.isWhitespace(l) { s = s.dropLast() }
        return String(s)
    }
}
