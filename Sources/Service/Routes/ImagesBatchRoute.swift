import Foundation
import HTTPServer
import JSON
import Retrieval

/// `POST /v1/images:batch`: many images in one request, stored together, each answered on its
/// own. JSON `{"images": [{"image": "<data URI or base64>", "path"?, "caption"?, "metadata"?}]}`
/// or multipart/form-data with one `file` part per image (its filename becomes the item's
/// `path`). Limits: `ingest.batch_max_files` images, `ingest.batch_max_bytes` of body, and
/// `ingest.batch_max_pixels` announced by the images' headers together (`BatchPixelBudget`:
/// 413 before anything is decoded).
/// An image that cannot be read or embedded fails alone (its result carries a problem); the
/// others are stored in one transaction: 200 with per-item results. A batch of which nothing
/// could be stored is refused as a whole (400 or 422, naming the first failure).
enum ImagesBatchRoute {
    struct Result: Encodable {
        let index: Int
        /// 201 stored now, 200 already stored (the existing item), 4xx this image failed.
        let status: Int
        let item: ImagesRoutes.ItemView?
        let error: Problem?
    }

    struct Problem: Encodable {
        let code: String
        let detail: String
    }

    struct Response: Encodable {
        let results: [Result]
        let stored: Int
        let duplicates: Int
        let failed: Int
    }

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let collection = try context.requireCollection()
        let settings = context.configuration.ingest
        let deadline = context.deadline()
        let jsonLimits = context.jsonLimits
        var entries: [(input: IngestInput?, refusal: Problem?)] = []
        var isMultipart = false
        switch try await context.parsing(http, deadline: deadline, { try RequestBody.parse(http, json: jsonLimits) }) {
        case .json(let reader):
            try reader.rejectUnknown(["images"])
            guard case .array(let images)? = reader.value("images") else {
                throw APIError.invalidField("images", "'images' must be an array of {\"image\", \"path\"?, \"caption\"?, \"metadata\"?}")
            }
            guard !images.isEmpty else { throw APIError.invalidField("images", "'images' must not be empty") }
            guard images.count <= settings.batchMaxFiles else { throw APIError.tooMany("images", count: images.count, limit: settings.batchMaxFiles) }
            for (index, value) in images.enumerated() {
                let field = "images[\(index)]"
                guard case .object(let members) = value else {
                    entries.append((nil, Problem(code: "invalid-field", detail: "'\(field)' must be an object")))
                    continue
                }
                do throws(APIError) {
                    let item = FieldReader(members: members, path: field)
                    try item.rejectUnknown(["image", "path", "caption", "metadata"])
                    let bytes = try ImagePayload.decode(try item.requiredString("image"), field: item.name("image"), maxBytes: settings.batchMaxBytes)
                    entries.append((IngestInput(bytes: bytes, location: .copy, path: try item.string("path"),
                                                caption: try item.string("caption"), metadata: try item.object("metadata")?.members ?? [:]), nil))
                } catch {
                    entries.append((nil, Problem(code: error.code, detail: error.detail)))
                }
            }
        case .multipart(let form):
            isMultipart = true
            try form.rejectUnknown(["file"])
            let files = form.all(named: "file")
            guard !files.isEmpty else { throw APIError.missingField("file") }
            guard files.count <= settings.batchMaxFiles else { throw APIError.tooMany("file", count: files.count, limit: settings.batchMaxFiles) }
            entries = files.map { (IngestInput(bytes: Data($0.body), location: .copy, path: $0.filename), nil) }
        }
        let budget = BatchPixelBudget(limit: settings.batchMaxPixels, maxImagePixels: context.configuration.limits.maxImagePixels)
        let images = entries.map { $0.input?.bytes }
        do {
            _ = try await context.engine.requestWork.run(deadline: deadline) { _ in try budget.check(images) }
        } catch let exceeded as BatchPixelBudget.Exceeded {
            let index = exceeded.index
            let position = isMultipart ? "file[\(index)]" : "images[\(index)]"
            let name = entries[index].input?.path.map { "\(position) (\"\($0)\")" } ?? position
            throw exceeded.problem(name: name, field: isMultipart ? "file" : "images[\(index)].image")
        }
        let inputs = entries.compactMap(\.input)
        let embedder = try EngineImageEmbedder(engine: context.engine, domain: context.engine.domainAdapters.lease(), deadline: deadline)
        let prepared = try await collection.prepare(inputs, embedder: embedder)
        let outcomes = try collection.commit(prepared)
        context.metrics.recordIndexSize(of: collection)

        var results: [Result] = []
        var next = outcomes.makeIterator()
        var counts = (stored: 0, duplicates: 0, failed: 0)
        for (index, entry) in entries.enumerated() {
            guard entry.input != nil, let outcome = next.next() else {
                counts.failed += 1
                results.append(Result(index: index, status: 400, item: nil, error: entry.refusal))
                continue
            }
            switch outcome {
            case .stored(let id), .duplicate(let id):
                let created = if case .stored = outcome { true } else { false }
                if created { counts.stored += 1 } else { counts.duplicates += 1 }
                let item = try collection.store.item(id: id).map(ImagesRoutes.ItemView.init)
                results.append(Result(index: index, status: created ? 201 : 200, item: item, error: nil))
            case .failed(let reason):
                counts.failed += 1
                results.append(Result(index: index, status: 422, item: nil, error: Problem(code: "image-not-stored", detail: reason)))
            }
        }
        context.metrics.recordIngest(outcome: "stored", count: counts.stored)
        context.metrics.recordIngest(outcome: "duplicate", count: counts.duplicates)
        context.metrics.recordIngest(outcome: "failed", count: counts.failed)
        // Nothing stored at all is a refusal of the request, not a partial success: the client
        // gets a 4xx (naming the first failure), as a single bad upload does.
        if counts.stored == 0, counts.duplicates == 0, let first = results.first(where: { $0.error != nil }) {
            let status = results.allSatisfy { $0.status == 400 } ? 400 : 422
            throw APIError(
                status: status, code: "batch-not-stored", title: "No image of the batch was stored",
                detail: "none of the \(results.count) images could be stored; image \(first.index): \(first.error?.detail ?? "failed")",
                field: isMultipart ? "file" : "images")
        }
        return try .encoded(Response(results: results, stored: counts.stored, duplicates: counts.duplicates, failed: counts.failed))
    }
}
