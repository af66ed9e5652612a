import Foundation

/// A complete request as a handler sees it: head, whole body, route parameters and request id.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path, still percent-encoded, without the query.
    public var path: String
    /// The raw query without "?", or nil.
    public var query: String?
    public var version: HTTPVersion
    /// Header fields; lookups are case-insensitive (`request.headers["content-type"]`).
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values of the route's `{name}` segments, percent-decoded.
    public var pathParameters: [String: String]
    /// The client's `X-Request-Id` when it is sane, else one the server generated; echoed in the
    /// response and in every log line about this request.
    public var requestID: String

    public init(
        method: HTTPMethod, path: String, query: String? = nil, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], pathParameters: [String: String] = [:],
        requestID: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.requestID = requestID
    }

    /// The body as `Data`, e.g. for `JSONDecoder`.
    public var bodyData: Data { Data(body) }

    /// Query items in order, decoded as application/x-www-form-urlencoded ("+" is a space).
    public var queryItems: [HTTPQueryItem] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusIsSpace: true) : nil
            return HTTPQueryItem(name: name, value: value)
        }
    }

    /// The first value of query item `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value ?? nil
    }
}

/// One `name[=value]` pair of a query.
public struct HTTPQueryItem: Hashable, Sendable {
    public var name: String
    public var value: String?
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

enum PercentDecoding {
    /// Decodes %XX escapes (invalid escapes stay as they are); bytes that are not UTF-8 become U+FFFD.
    static func decode<S: StringProtocol>(_ text: S, plusIsSpace: Bool = false) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.contains(ASCII.percent) || (plusIsSpace && utf8.contains(0x2B)) else { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            if b == ASCII.percent, i + 2 < utf8.count, let hi = ASCII.hexValue(utf8[i + 1]), let lo = ASCII.hexValue(utf8[i + 2]) {
                out.append(UInt8(hi * 16 + lo))
                i += 3
            } else {
                out.append(plusIsSpace && b == 0x2B ? ASCII.space : b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
