@testable import HTTPServer

/// One request as the parser reported it, with its body events joined.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var head: HTTPRequestHead
    var body: [UInt8]
    var trailers: HTTPHeaders
    var description: String {
        "\(head.method) \(head.target) \(head.bodyFraming) body=\(body.count)B trailers=\(trailers.count)"
    }
}

enum ParserDriver {
    /// Feeds `chunks` one after another, draining events after each, and returns the complete
    /// requests. A head without its end yet is dropped (the caller checks counts).
    static func parse(
        _ chunks: [[UInt8]], limits: HTTPLimits = HTTPLimits()
    ) throws(HTTPParseError) -> [ParsedRequest] {
        var parser = HTTPRequestParser(limits: limits)
        var done: [ParsedRequest] = []
        var current: ParsedRequest?
        for chunk in chunks {
            parser.append(chunk)
            while let event = try parser.next() {
                switch event {
                case .head(let head): current = ParsedRequest(head: head, body: [], trailers: HTTPHeaders())
                case .body(let bytes): current?.body += bytes
                case .end(let trailers):
                    if var request = current {
                        request.trailers = trailers
                        done.append(request)
                    }
                    current = nil
                }
            }
        }
        return done
    }

    static func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> [ParsedRequest] {
        try parse([Array(text.utf8)], limits: limits)
    }

    /// The same bytes delivered one at a time: the harshest split.
    static func parseBytewise(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> [ParsedRequest] {
        try parse(Array(text.utf8).map { [$0] }, limits: limits)
    }

    /// The error parsing `text` throws, or nil.
    static func error(_ text: String, limits: HTTPLimits = HTTPLimits(), bytewise: Bool = false) -> HTTPParseError? {
        do {
            _ = bytewise ? try parseBytewise(text, limits: limits) : try parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }
}
