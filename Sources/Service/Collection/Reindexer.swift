import Engine
import Foundation
import Logging
import Retrieval
import Synchronization

/// Re-embeds the stored images into the engine's current embedding space in the background,
/// while the old index keeps serving; the switch to the new index happens once, at the end.
/// An interrupted run resumes where it stopped (items already in the new space are skipped by
/// their SHA-256).
final class Reindexer: Sendable {
    struct Status: Encodable, Sendable, Equatable {
        /// idle, up-to-date, running, completed or failed.
        var state = "idle"
        var from: String?
        var to: String?
        var total = 0
        var done = 0
        /// Items whose bytes could not be read or embedded; they are left out of the new index.
        var failed = 0
        var started_at: String?
        var finished_at: String?
        var error: String?
    }

    /// Images embedded per step.
    static let step = 32

    private let state = Mutex(Status())

    var status: Status { state.withLock { $0 } }

    /// Starts a run unless one is running or the index is already in the engine's space.
    func start(_ collection: ImageLibrary, engine: EmbeddingEngine, logger: Logger) throws -> Status {
        let from = collection.store.space
        // The run embeds with this lease throughout, so the new index is all in `to` even if the
        // domain adapter is swapped meanwhile (then queries get 409 again and another run follows).
        let domain = engine.domainAdapters.lease()
        let to = try engine.imageSpace(domain: domain)
        let now = ISO8601DateFormatter().string(from: Date())
        let begun: Status? = state.withLock { status in
            if status.state == "running" { return nil }
            status = from == to
                ? Status(state: "up-to-date", from: from.key, to: to.key, started_at: now, finished_at: now)
                : Status(state: "running", from: from.key, to: to.key, started_at: now)
            return status
        }
        guard let begun else {
            throw APIError(status: 409, code: "reindex-running", title: "Re-index already running",
                           detail: "a re-index is in progress; follow it at GET /admin/reindex")
        }
        if begun.state == "running" {
            Task.detached { await self.run(collection, engine: engine, into: to, domain: domain, logger: logger) }
        }
        return begun
    }

    private func run(
        _ collection: ImageLibrary, engine: EmbeddingEngine, into space: EmbeddingSpace, domain: DomainLease?, logger: Logger
    ) async {
        do {
            guard let source = collection.embedded else { throw StoreError.invalidArgument("re-index needs the embedded store") }
            let target = try collection.directory.openStore(space: space)
            do {
                let total = try source.itemCount()
                state.withLock { $0.total = total }
                var cursor: Int64 = 0
                while true {
                    let page = try source.items(after: cursor, limit: Self.step)
                    guard let last = page.last else { break }
                    cursor = last.id
                    let fresh = try page.filter { try !target.contains(sha256: $0.sha256) }
                    let embedded = await embed(fresh, collection: collection, engine: engine, domain: domain)
                    _ = try target.add(embedded.items)
                    state.withLock {
                        $0.done += page.count - embedded.failures
                        $0.failed += embedded.failures
                    }
                }
                try removeDeleted(from: target, keeping: source)
                try collection.switchServing(to: target)
            } catch {
                try? target.close()
                throw error
            }
            let finished = state.withLock { status in
                status.state = "completed"
                status.finished_at = ISO8601DateFormatter().string(from: Date())
                return status
            }
            logger.notice("re-index completed", metadata: [
                "to": "\(space.key)", "items": "\(finished.done)", "failed": "\(finished.failed)",
            ])
        } catch {
            state.withLock { status in
                status.state = "failed"
                status.error = "\(error)"
                status.finished_at = ISO8601DateFormatter().string(from: Date())
            }
            logger.error("re-index failed; the old index keeps serving", metadata: ["error": "\(error)"])
        }
    }

    /// New rows for `items` in the engine's space; unreadable or undecodable ones are counted.
    private func embed(
        _ items: [StoredItem], collection: ImageLibrary, engine: EmbeddingEngine, domain: DomainLease?
    ) async -> (items: [NewItem], failures: Int) {
        await withTaskGroup(of: NewItem?.self) { group in
            for item in items {
                group.addTask {
                    guard let bytes = try? collection.bytes(of: item),
                          let vector = try? await engine.embedImages([bytes], domain: domain, deadline: .now + .seconds(600)).first
                    else { return nil }
                    return NewItem(uri: item.uri, path: item.path, sha256: item.sha256, width: item.width, height: item.height,
                                   caption: item.caption, metadata: item.metadata, embedding: vector)
                }
            }
            var out: [NewItem] = []
            var failures = 0
            for await made in group {
                if let made { out.append(made) } else { failures += 1 }
            }
            return (out, failures)
        }
    }

    /// Items deleted from the serving index while the run copied them must not come back.
    private func removeDeleted(from target: ImageStore, keeping source: ImageStore) throws {
        let live = Set(try Self.allItems(source).map(\.sha256))
        let stale = try Self.allItems(target).filter { !live.contains($0.sha256) }.map(\.id)
        if !stale.isEmpty { _ = try target.delete(ids: stale) }
    }

    private static func allItems(_ store: ImageStore) throws -> [StoredItem] {
        var out: [StoredItem] = []
        var cursor: Int64 = 0
        while true {
            let page = try store.items(after: cursor, limit: 1000)
            guard let last = page.last else { return out }
            out += page
            cursor = last.id
        }
    }
}
