/// A `multipart/form-data` body (RFC 7578) split into its parts. A pure function over bytes:
/// no I/O, so it is tested from literal bodies and cannot block a connection.
public struct MultipartFormData: Sendable {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]

        /// The part as UTF-8 text (form fields), or nil when it is not valid UTF-8.
        public var text: String? { String(validating: body, as: UTF8.self) }
    }

    public var parts: [Part]

    public func first(named name: String) -> Part? { parts.first { $0.name == name } }
    public func all(named name: String) -> [Part] { parts.filter { $0.name == name } }

    /// The boundary parameter of a `Content-Type: multipart/form-data; boundary=...` value.
    public static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = pieces.first, type.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046 §5.1.1: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Splits `body` at `--boundary` delimiters. Refuses more than `maxParts` parts, parts
    /// without a `Content-Disposition: form-data; name=...`, and a body without the closing
    /// delimiter, each with a message that says which.
    public static func parse(_ body: [UInt8], boundary: String, maxParts: Int) throws(APIError) -> MultipartFormData {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var cursor = find(delimiter, in: body, from: 0) else {
            throw malformed("the body has no '--\(boundary)' delimiter")
        }
        cursor += delimiter.count
        while true {
            // After a delimiter: "--" closes the body, CRLF starts a part.
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") {
                return MultipartFormData(parts: parts)
            }
            cursor = skipTransportPadding(body, from: cursor)
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else {
                throw malformed("a delimiter is not followed by CRLF")
            }
            cursor += 2
            let headerBytes: [UInt8]
            let contentStart: Int
            if body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 {
                headerBytes = []  // a part without headers; refused below for lacking a name
                contentStart = cursor + 2
            } else if let headerEnd = find([13, 10, 13, 10], in: body, from: cursor) {
                headerBytes = Array(body[cursor..<headerEnd])
                contentStart = headerEnd + 4
            } else {
                throw malformed("a part's headers do not end with an empty line")
            }
            guard let next = find([13, 10] + delimiter, in: body, from: contentStart) else {
                throw malformed("the body ends before the closing '--\(boundary)--' delimiter")
            }
            guard parts.count < maxParts else {
                throw APIError.tooMany("multipart parts", count: parts.count + 1, limit: maxParts)
            }
            parts.append(try part(headers: headerBytes, body: Array(body[contentStart..<next])))
            cursor = next + 2 + delimiter.count
        }
    }

    private static func part(headers: [UInt8], body: [UInt8]) throws(APIError) -> Part {
        guard let text = String(validating: headers, as: UTF8.self) else {
            throw malformed("a part's headers are not valid UTF-8")
        }
        var name: String?
        var filename: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw malformed("a part header line has no colon") }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition":
                let params = dispositionParameters(value)
                guard params.type == "form-data" else { throw malformed("a part's Content-Disposition is not form-data") }
                name = params.values["name"]
                filename = params.values["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
        guard let name, !name.isEmpty else { throw malformed("a part has no Content-Disposition name") }
        return Part(name: name, filename: filename, contentType: contentType, body: body)
    }

    /// `form-data; name="file"; filename="a b.png"` → type and parameters (quotes removed,
    /// backslash escapes honoured).
    private static func dispositionParameters(_ value: String) -> (type: String, values: [String: String]) {
        var values: [String: String] = [:]
        let scalars = Array(value.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        var type = ""
        while i < scalars.count, scalars[i] != ";" { type.unicodeScalars.append(scalars[i]); i += 1 }
        while i < scalars.count {
            i += 1  // the ';'
            skipSpaces()
            var key = ""
            while i < scalars.count, scalars[i] != "=", scalars[i] != ";" { key.unicodeScalars.append(scalars[i]); i += 1 }
            guard i < scalars.count, scalars[i] == "=" else { continue }
            i += 1
            var val = ""
            if i < scalars.count, scalars[i] == "\"" {
                i += 1
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < scalars.count { i += 1 }
                    val.unicodeScalars.append(scalars[i]); i += 1
                }
                i += 1
                while i < scalars.count, scalars[i] != ";" { i += 1 }
            } else {
                while i < scalars.count, scalars[i] != ";" { val.unicodeScalars.append(scalars[i]); i += 1 }
            }
            values[key.trimmingCharacters(in: .whitespaces).lowercased()] = val.trimmingCharacters(in: .whitespaces)
        }
        return (type.trimmingCharacters(in: .whitespaces).lowercased(), values)
    }

    /// RFC 2046 allows linear whitespace after a delimiter, before its CRLF.
    private static func skipTransportPadding(_ body: [UInt8], from start: Int) -> Int {
        var i = start
        while i < body.count, body[i] == 32 || body[i] == 9 { i += 1 }
        return i
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    private static func malformed(_ detail: String) -> APIError {
        APIError(status: 400, code: "malformed-multipart", title: "Malformed multipart/form-data body", detail: detail)
    }
}

import Foundation
