import Foundation
import JSON

/// Captions and metadata for ingested files, from JSON lines:
/// `{"path": "cats/1.jpg", "caption"?: "...", "metadata"?: {...}}`. Relative paths are relative
/// to the sidecar file's folder. A malformed line is an error (with its number): a typo there
/// would otherwise silently drop metadata for the whole run.
public struct Sidecar: Sendable {
    public struct Entry: Sendable, Equatable {
        public let caption: String?
        public let metadata: [String: JSONValue]
    }

    private struct Line: Decodable {
        let path: String
        let caption: String?
        let metadata: [String: JSONValue]?
    }

    /// By standardized absolute path.
    public let entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) { self.entries = entries }

    public init(url: URL) throws {
        var reader = try LineReader(url: url)
        defer { reader.close() }
        let base = url.deletingLastPathComponent()
        var entries: [String: Entry] = [:]
        var number = 0
        while let text = try reader.nextLine() {
            number += 1
            if text.allSatisfy(\.isWhitespace) { continue }
            do {
                let line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
                let path = line.path.hasPrefix("/") ? URL(fileURLWithPath: line.path) : base.appendingPathComponent(line.path)
                entries[path.standardizedFileURL.path] = Entry(caption: line.caption, metadata: line.metadata ?? [:])
            } catch {
                throw StoreError.invalidArgument("\(url.path):\(number): not a sidecar line {\"path\", \"caption\"?, \"metadata\"?}: \(error)")
            }
        }
        self.entries = entries
    }

    public func entry(for file: URL) -> Entry? { entries[file.standardizedFileURL.path] }
}
