import Foundation

/// `vocab.txt`: one token per line, the id is the line number (transformers
/// `models/bert/tokenization_bert.load_vocab`).
struct BertVocabulary: Sendable {
    let tokenToID: [[UInt8]: Int]
    /// Number of lines, so every id is below it (a repeated token keeps its last line's id, as
    /// a Python dict assignment does, which leaves the earlier id unused).
    let size: Int

    static func load(_ url: URL) throws(TokenizerError) -> BertVocabulary {
        let data = try TokenizerFile.read(url)
        _ = try TokenizerFile.utf8Text(data, file: url)
        let lines = Self.lines(of: [UInt8](data))
        guard !lines.isEmpty else { throw .malformed(file: url.path, reason: "empty vocabulary") }
        var tokenToID: [[UInt8]: Int] = [:]
        tokenToID.reserveCapacity(lines.count)
        for (id, line) in lines.enumerated() {
            tokenToID[line] = id
        }
        return BertVocabulary(tokenToID: tokenToID, size: lines.count)
    }

    /// Lines the way Python's text-mode `readlines()` splits them: at `\n`, `\r\n` and `\r` only.
    /// Not at U+2028 or U+0085, which real vocabularies contain inside tokens. A final line
    /// without a terminator is still a line; nothing follows the last terminator.
    static func lines(of bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                lines.append(current)
                current = []
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    index += 1
                }
            } else {
                current.append(byte)
            }
            index += 1
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
