/// Log metadata built from errors and requests, cut to a bounded size. An error can carry
/// request-derived text (a key, a statement, a value) of any length; one log line must not
/// grow with what a client sent.
enum LogText {
    /// UTF-8 bytes kept of one value.
    static let maxBytes = 1024

    /// `value`'s description, at most `limit` bytes of it (whole Unicode scalars), followed by
    /// the original size when it was cut.
    static func bounded(_ value: Any, limit: Int = maxBytes) -> String {
        let text = String(describing: value)
        let bytes = text.utf8.count
        guard bytes > limit else { return text }
        var kept = 0
        var end = text.unicodeScalars.startIndex
        for scalar in text.unicodeScalars {
            kept += UTF8.width(scalar)
            if kept > limit { break }
            end = text.unicodeScalars.index(after: end)
        }
        return String(text.unicodeScalars[..<end]) + "… (\(bytes) bytes)"
    }
}
