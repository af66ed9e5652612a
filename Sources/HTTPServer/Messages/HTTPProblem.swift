import Foundation

/// Problem details (RFC 9457) with the request id as an extension member, so a client can quote
/// it when reporting an error and an operator can find the matching log line.
public struct HTTPProblem: Codable, Hashable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail
        case requestID = "requestId"
    }

    public init(type: String = "about:blank", title: String, status: Int, detail: String, requestID: String?) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.requestID = requestID
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding five strings and an integer cannot fail; the fallback keeps this total anyway.
        guard let data = try? encoder.encode(self) else {
            return Array("{\"status\":\(status),\"title\":\"\(status)\"}".utf8)
        }
        return Array(data)
    }
}
