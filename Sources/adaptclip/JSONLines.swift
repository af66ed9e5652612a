import Foundation

/// Line-oriented JSON on stdin/stdout for the one-shot commands: one input per line in, one
/// result per line out, errors on stderr with the line number (1-based).
enum JSONLines {
    /// Reads stdin in chunks of `chunkSize` lines so memory stays bounded on big inputs.
    static func forEachChunk(chunkSize: Int, _ body: ([(line: Int, text: String)]) async throws -> Void) async rethrows {
        var chunk: [(line: Int, text: String)] = []
        var number = 0
        while let text = readLine(strippingNewline: true) {
            number += 1
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            chunk.append((number, text))
            if chunk.count == chunkSize {
                try await body(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { try await body(chunk) }
    }

    static func printObject(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys]),
           let text = String(data: data, encoding: .utf8) {
            print(text)
        }
    }

    static func reportError(line: Int, _ message: String) {
        FileHandle.standardError.write(Data("line \(line): \(message)\n".utf8))
    }
}
