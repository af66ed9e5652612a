import Digests
import Foundation
import Imaging
import JSON

/// One image to store through `ImageLibrary.prepare` / `commit`.
public struct IngestInput: Sendable {
    public enum Location: Sendable, Equatable {
        /// Uploaded or fetched bytes: written under the data directory's `images/`.
        case copy
        /// An operator's file, referenced where it is (absolute path; never shown).
        case file(absolutePath: String)
    }

    public var bytes: Data
    public var location: Location
    /// The name clients are shown (`StoredItem.path`).
    public var path: String?
    public var caption: String?
    public var metadata: [String: JSONValue]

    public init(bytes: Data, location: Location, path: String?, caption: String? = nil, metadata: [String: JSONValue] = [:]) {
        (self.bytes, self.location, self.path, self.caption, self.metadata) = (bytes, location, path, caption, metadata)
    }
}

/// What happened to one `IngestInput`.
public enum IngestOutcome: Sendable, Equatable {
    case stored(id: Int64)
    /// The same bytes were stored already (possibly earlier in the same batch).
    case duplicate(id: Int64)
    case failed(reason: String)
}

/// A batch hashed and embedded, not yet stored: `ImageLibrary.commit` stores it in one
/// transaction. Split in two so an ingest can embed the next batch while this one commits.
public struct PreparedBatch: Sendable {
    enum Entry: Sendable {
        case known(id: Int64)
        case failed(reason: String)
        case embedded(NewItem, copy: Data?)
    }

    let entries: [Entry]
    let store: any ImageCollectionStore
    public var count: Int { entries.count }
}

extension ImageLibrary {
    /// Hashes each input, answers those already stored without running the model, and embeds the
    /// rest one image per call, `inFlight` at a time: the engine decodes each on its request-work
    /// threads and gathers the pixels into model batches, so decoding overlaps the model and one
    /// bad image fails alone. A background ingest keeps `inFlight` near the request-work threads'
    /// count: the queue in front of them is first come first served, and a search waiting behind
    /// dozens of 12 MP decodes would wait seconds.
    public func prepare(_ inputs: [IngestInput], embedder: any ImageEmbedder, inFlight: Int = .max) async throws -> PreparedBatch {
        let store = try servingStore(for: embedder.space)
        let hashes = inputs.map { SHA256.hex($0.bytes) }
        var known: [Int: Int64] = [:]
        for (offset, sha) in hashes.enumerated() { if let id = try store.itemID(sha256: sha) { known[offset] = id } }
        let vectors = await withTaskGroup(of: (Int, Result<[Float], any Error>).self) { group in
            var out: [Int: Result<[Float], any Error>] = [:]
            var running = 0
            for (offset, input) in inputs.enumerated() where known[offset] == nil {
                if running >= max(1, inFlight), let (done, result) = await group.next() {
                    out[done] = result
                    running -= 1
                }
                running += 1
                group.addTask {
                    do {
                        guard let vector = try await embedder.embed(images: [input.bytes]).first else {
                            throw StoreError.invalidArgument("the embedder returned no vector")
                        }
                        return (offset, .success(vector))
                    } catch {
                        return (offset, .failure(error))
                    }
                }
            }
            for await (offset, result) in group { out[offset] = result }
            return out
        }
        let entries = inputs.enumerated().map { offset, input -> PreparedBatch.Entry in
            if let id = known[offset] { return .known(id: id) }
            switch vectors[offset] {
            case .success(let vector)?:
                let header = try? ImageDecoder.header(of: input.bytes)
                let uri: String
                switch input.location {
                case .copy: uri = DataDirectory.imageURI(sha256: hashes[offset], format: try? ImageDecoder.format(of: input.bytes))
                case .file(let absolutePath): uri = FileURI.uri(forPath: absolutePath)
                }
                let item = NewItem(uri: uri, path: input.path, sha256: hashes[offset], width: header?.width, height: header?.height,
                                   caption: input.caption, metadata: input.metadata, embedding: vector)
                return .embedded(item, copy: input.location == .copy ? input.bytes : nil)
            case .failure(let error)?: return .failed(reason: "could not embed: \(error)")
            case nil: return .failed(reason: "not embedded")
            }
        }
        return PreparedBatch(entries: entries, store: store)
    }

    /// Writes the copies, then stores the rows in one transaction (any kind of collection).
    @discardableResult
    public func commit(_ batch: PreparedBatch) throws -> [IngestOutcome] {
        try commitRows(batch) { store, items, settle in _ = settle(try store.add(items)) }
    }

    /// Writes the copies, then stores the rows in one transaction of the embedded store, in which
    /// `record` runs with every input's outcome (in input order): an ingest job's ledger commits
    /// with the rows it counts.
    @discardableResult
    public func commit(
        _ batch: PreparedBatch, recording record: (SQLiteConnection, [IngestOutcome]) throws -> Void
    ) throws -> [IngestOutcome] {
        guard let embedded = batch.store as? ImageStore else {
            throw StoreError.invalidArgument("recording a commit needs the embedded store")
        }
        return try commitRows(batch) { _, items, settle in
            _ = try embedded.add(items) { db, added in try record(db, settle(added)) }
        }
    }

    /// Writes the copies, then calls `store` with the rows to add; it stores them and hands what
    /// the store answered to `settle`, which returns every input's outcome.
    private func commitRows(
        _ batch: PreparedBatch,
        store: (any ImageCollectionStore, [NewItem], (_ added: [AddOutcome]) -> [IngestOutcome]) throws -> Void
    ) throws -> [IngestOutcome] {
        var items: [NewItem] = []
        var slots: [Int] = []
        for (offset, entry) in batch.entries.enumerated() {
            guard case .embedded(let item, let copy) = entry else { continue }
            if let copy { _ = try imageBytes.writeImage(copy, sha256: item.sha256) }
            items.append(item)
            slots.append(offset)
        }
        var outcomes: [IngestOutcome] = batch.entries.map { entry in
            switch entry {
            case .known(let id): .duplicate(id: id)
            case .failed(let reason): .failed(reason: reason)
            case .embedded: .failed(reason: "not stored")
            }
        }
        try store(batch.store, items) { added in
            for (slot, outcome) in zip(slots, added) {
                switch outcome {
                case .stored(let id): outcomes[slot] = .stored(id: id)
                case .duplicate(let id): outcomes[slot] = .duplicate(id: id)
                }
            }
            return outcomes
        }
        for case .embedded(let item, let copy?) in batch.entries { try keepBytes(copy, sha256: item.sha256) }
        return outcomes
    }
}
