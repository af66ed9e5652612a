import Digests
import Foundation
import JSON

/// Imports precomputed embeddings from JSON lines, one item per line:
/// `{"uri": "...", "sha256"?: "...", "embedding": [...], "caption"?: "...", "metadata"?: {...}, "space": "model[+adapter]"}`.
/// Without "sha256" the dedupe key is the SHA-256 of the uri's UTF-8 bytes. Lines are stored in
/// batches (one transaction each, per space); after each commit every row is acknowledged
/// through `acknowledge`, so a caller that prints acknowledgements never reports an uncommitted
/// row. A rerun skips what is already stored (duplicates by sha256), so an interrupted import resumes.
public final class VectorImporter {
    public struct Line: Decodable, Sendable {
        public let uri: String
        public let sha256: String?
        public let embedding: [Float]
        public let caption: String?
        public let metadata: [String: JSONValue]?
        public let space: String
    }

    public struct Acknowledgement: Sendable, Equatable {
        public let line: Int
        public let outcome: AddOutcome
        public let sha256: String
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var lines = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected = 0
    }

    public let directory: DataDirectory
    public let batchSize: Int
    private var stores: [EmbeddingSpace: ImageStore] = [:]
    private var pending: [EmbeddingSpace: [(line: Int, item: NewItem)]] = [:]

    /// Imports into `directory`, opening the writer of each space the lines name.
    public init(directory: DataDirectory, batchSize: Int = 256) throws {
        guard batchSize > 0 else { throw StoreError.invalidArgument("batch size must be positive, got \(batchSize)") }
        self.directory = directory
        self.batchSize = batchSize
    }

    /// Imports `file`. Malformed lines are reported through `reject` (line number, reason) and skipped.
    public func run(file: URL, acknowledge: (Acknowledgement) -> Void, reject: (Int, String) -> Void) throws -> Summary {
        var summary = Summary()
        var reader = try LineReader(url: file)
        defer { reader.close() }
        var number = 0
        let decoder = JSONDecoder()
        while let text = try reader.nextLine() {
            number += 1
            if text.allSatisfy(\.isWhitespace) { continue }
            summary.lines += 1
            do {
                let line = try decoder.decode(Line.self, from: Data(text.utf8))
                let space = try EmbeddingSpace(parsing: line.space, dimension: line.embedding.count)
                let sha = line.sha256?.lowercased() ?? SHA256.hex(Data(line.uri.utf8))
                guard StoreValidation.isSHA256(sha) else { throw StoreError.invalidArgument("sha256 must be 64 hex digits") }
                _ = try StoreValidation.unitVector(line.embedding, dimension: space.dimension, label: "embedding")
                let item = NewItem(uri: line.uri, sha256: sha, caption: line.caption, metadata: line.metadata ?? [:], embedding: line.embedding)
                pending[space, default: []].append((number, item))
                if pending[space, default: []].count >= batchSize { try flush(space, &summary, acknowledge) }
            } catch let error as DecodingError {
                summary.rejected += 1
                reject(number, Self.describe(error))
            } catch let error as StoreError {
                summary.rejected += 1
                reject(number, error.description)
            }
        }
        for space in pending.keys.sorted(by: { $0.key < $1.key }) { try flush(space, &summary, acknowledge) }
        for store in stores.values { try store.close() }
        stores.removeAll()
        return summary
    }

    private func flush(_ space: EmbeddingSpace, _ summary: inout Summary, _ acknowledge: (Acknowledgement) -> Void) throws {
        guard let batch = pending.removeValue(forKey: space), !batch.isEmpty else { return }
        let store = try stores[space] ?? directory.openStore(space: space)
        stores[space] = store
        let outcomes = try store.add(batch.map(\.item))
        for (entry, outcome) in zip(batch, outcomes) {
            if case .stored = outcome { summary.stored += 1 } else { summary.duplicates += 1 }
            acknowledge(Acknowledgement(line: entry.line, outcome: outcome, sha256: entry.item.sha256))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .dataCorrupted(let context): "not valid JSON: \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }
}
