/// Why a request was refused. Each case maps to the status the server answers with before it
/// closes the connection: after any of these the byte stream can no longer be trusted.
public enum HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case invalidVersion
    case unsupportedVersion(HTTPVersion)
    case requestLineTooLong(limit: Int)
    case headerSectionTooLarge(limit: Int)
    case tooManyHeaderFields(limit: Int)
    case bareLineFeed
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case invalidFieldName
    case invalidFieldValue(name: String)
    case missingHost
    case multipleHosts
    case contentLengthWithTransferEncoding
    case conflictingContentLengths
    case invalidContentLength
    case transferEncodingNotChunkedLast
    case transferEncodingInHTTP10
    case unsupportedTransferCoding(String)
    case invalidChunkSize
    case chunkLineTooLong(limit: Int)
    case missingChunkTerminator
    case contentTooLarge(limit: Int)
    case unsupportedExpectation(String)

    /// The status code of the refusal.
    public var status: HTTPStatus {
        switch self {
        case .unsupportedVersion: return .httpVersionNotSupported
        case .requestLineTooLong: return .uriTooLong
        case .headerSectionTooLarge, .tooManyHeaderFields: return .requestHeaderFieldsTooLarge
        case .unsupportedTransferCoding: return .notImplemented
        case .contentTooLarge: return .contentTooLarge
        case .unsupportedExpectation: return .expectationFailed
        default: return .badRequest
        }
    }

    public var description: String {
        switch self {
        case .invalidRequestLine: return "The request line is not 'method SP target SP version'."
        case .invalidMethod: return "The method is not a token."
        case .invalidTarget: return "The request target is not a valid origin, absolute or asterisk form."
        case .invalidVersion: return "The HTTP version is malformed."
        case .unsupportedVersion(let v): return "\(v) is not supported; use HTTP/1.1."
        case .requestLineTooLong(let limit): return "The request line exceeds \(limit) bytes."
        case .headerSectionTooLarge(let limit): return "The header section exceeds \(limit) bytes."
        case .tooManyHeaderFields(let limit): return "More than \(limit) header fields."
        case .bareLineFeed: return "A line ends with LF without CR."
        case .obsoleteLineFolding: return "Obsolete line folding is not accepted."
        case .whitespaceBeforeColon: return "Whitespace between a field name and its colon."
        case .invalidFieldName: return "A field name is not a token followed by a colon."
        case .invalidFieldValue(let name): return "The value of '\(name)' contains a control character."
        case .missingHost: return "An HTTP/1.1 request must carry a Host field."
        case .multipleHosts: return "More than one Host field."
        case .contentLengthWithTransferEncoding: return "Content-Length together with Transfer-Encoding."
        case .conflictingContentLengths: return "Several different Content-Length values."
        case .invalidContentLength: return "Content-Length is not a non-negative decimal that fits."
        case .transferEncodingNotChunkedLast: return "Transfer-Encoding must end with chunked."
        case .transferEncodingInHTTP10: return "Transfer-Encoding in an HTTP/1.0 request."
        case .unsupportedTransferCoding(let c): return "Transfer coding '\(c)' is not implemented."
        case .invalidChunkSize: return "A chunk size is not hexadecimal or overflows."
        case .chunkLineTooLong(let limit): return "A chunk-size line exceeds \(limit) bytes."
        case .missingChunkTerminator: return "Chunk data is not followed by CRLF."
        case .contentTooLarge(let limit): return "The body exceeds \(limit) bytes."
        case .unsupportedExpectation(let e): return "Expectation '\(e)' is not supported."
        }
    }
}
