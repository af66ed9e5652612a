import Engine
import Foundation
import JSON
import Logging
import Retrieval

/// Fills an empty collection with the embedded bundle's gallery on first start, so search
/// answers out of the box. Runs only when the collection is empty: an operator's own images
/// are never mixed with demo images behind their back.
enum GallerySeeder {
    /// Most images seeded (the demo's test split has more than a first start needs).
    static let maximumImages = 400

    static func seedIfEmpty(
        _ collection: ImageLibrary, from gallery: URL, engine: EmbeddingEngine, logger: Logger
    ) async throws {
        guard try collection.store.itemCount() == 0 else { return }
        let set = try EvaluationSet.load(directory: gallery, limit: maximumImages)
        let start = ContinuousClock.now
        var stored = 0
        for scene in set.scenes {
            guard let bytes = FileManager.default.contents(atPath: scene.file.path) else { continue }
            var metadata: [String: JSONValue] = ["caption_zh": .string(scene.zh), "source": .string("demo gallery")]
            for (task, label) in scene.labels { metadata[task] = .string(label) }
            let added = try await collection.add(
                bytes, caption: scene.en, metadata: metadata, engine: engine, deadline: .now + .seconds(60))
            if added.created { stored += 1 }
        }
        logger.notice("seeded the demo gallery", metadata: [
            "images": "\(stored)", "from": "\(gallery.path)", "seconds": "\(ContinuousClock.now - start)",
        ])
    }
}
