import Foundation

/// `file://` uris of an operator's files, written and read by this code alone, so any file name
/// (spaces, `%`, `#`, `?`, Chinese, either Unicode normalization) names the same bytes back.
/// Every UTF-8 byte outside RFC 3986's unreserved set and `/` is percent-encoded; the path's
/// scalars are kept as the file system gave them (never normalized: Linux names are bytes, and
/// NFC and NFD spellings are two different files there).
public enum FileURI {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8))

    /// The uri of an absolute path.
    public static func uri(forPath path: String) -> String {
        var out = "file://"
        for byte in path.utf8 {
            if unreserved.contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }

    /// The absolute path a `file://` uri (this type's, or Foundation's from older rows) or a bare
    /// absolute path names; nil for anything else or for invalid percent-encoding.
    public static func path(of uri: String) -> String? {
        if uri.hasPrefix("/") { return uri }
        guard uri.hasPrefix("file://") else { return nil }
        var rest = Substring(uri.dropFirst(7))
        // `file://localhost/…` is the same file as `file:///…`.
        if rest.hasPrefix("localhost/") { rest = rest.dropFirst(9) }
        guard rest.hasPrefix("/") else { return nil }
        var bytes: [UInt8] = []
        var utf8 = Array(rest.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
