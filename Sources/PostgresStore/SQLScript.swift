/// Splits a migration file into its statements. PostgresNIO speaks only the extended query
/// protocol, which takes one statement per message, so a file of several must be sent one by one.
///
/// A `;` ends a statement only outside quotes and comments: '…' (with '' inside, and E'…' with
/// backslash escapes), "…" identifiers, $tag$…$tag$ bodies, -- line comments and nested /* */
/// comments. Statements that are only whitespace and comments are dropped.
enum SQLScript {
    static func statements(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func append(_ range: Range<Int>, code: Bool) {
            current.append(contentsOf: scalars[range])
            if code { hasCode = true }
        }

        while index < scalars.count {
            let c = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch c {
            case "-" where next == "-":
                let end = scalars[index...].firstIndex(of: "\n") ?? scalars.count
                append(index..<end, code: false)
                index = end
            case "/" where next == "*":
                var depth = 0
                var end = index
                while end < scalars.count {
                    if scalars[end] == "/", end + 1 < scalars.count, scalars[end + 1] == "*" { depth += 1; end += 2; continue }
                    if scalars[end] == "*", end + 1 < scalars.count, scalars[end + 1] == "/" {
                        depth -= 1; end += 2
                        if depth == 0 { break }
                        continue
                    }
                    end += 1
                }
                append(index..<end, code: false)
                index = end
            case "'", "\"":
                let backslashEscapes = c == "'" && index > 0 && (scalars[index - 1] == "E" || scalars[index - 1] == "e")
                var end = index + 1
                while end < scalars.count {
                    if backslashEscapes, scalars[end] == "\\" { end += 2; continue }
                    if scalars[end] == c {
                        if end + 1 < scalars.count, scalars[end + 1] == c { end += 2; continue }
                        end += 1
                        break
                    }
                    end += 1
                }
                append(index..<min(end, scalars.count), code: true)
                index = min(end, scalars.count)
            case "$":
                if let tagEnd = dollarTagEnd(scalars, from: index) {
                    let tag = Array(scalars[index...tagEnd])
                    var end = tagEnd + 1
                    while end < scalars.count, !scalars[end...].starts(with: tag) { end += 1 }
                    end = min(end + tag.count, scalars.count)
                    append(index..<end, code: true)
                    index = end
                } else {
                    append(index..<index + 1, code: true)
                    index += 1
                }
            case ";":
                if hasCode { statements.append(String(current).trimmingWhitespace) }
                current = String.UnicodeScalarView()
                hasCode = false
                index += 1
            default:
                append(index..<index + 1, code: !c.properties.isWhitespace)
                index += 1
            }
        }
        if hasCode { statements.append(String(current).trimmingWhitespace) }
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag opening at `start` ($$ or $name$), or nil
    /// when the `$` is not one (a positional parameter such as $1).
    private static func dollarTagEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < scalars.count {
            let c = scalars[index]
            if c == "$" { return index }
            let isTagCharacter = c == "_" || c.properties.isAlphabetic || (index > start + 1 && ("0"..."9").contains(c))
            guard isTagCharacter else { return nil }
            index += 1
        }
        return nil
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
