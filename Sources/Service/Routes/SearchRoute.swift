import Engine
import Foundation
import HTTPServer
import JSON
import Retrieval

/// `POST /v1/search`: text (English or Chinese) or image query → top-k stored images.
enum SearchRoute {
    struct Response: Encodable {
        struct Hit: Encodable {
            let id: Int64
            let score: Float
            let uri: String
            let caption: String?
            let metadata: [String: JSONValue]
        }
        let model: String
        /// The text path used, or "image" for an image query.
        let lang: String
        /// The model (and adapter version) that embedded the query.
        let producer: String
        let hits: [Hit]
    }

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let collection = try context.requireCollection()
        let deadline = context.deadline()
        let jsonLimits = context.jsonLimits
        let reader = try await context.parsing(http, deadline: deadline) { try FieldReader.parseBody(http.body, limits: jsonLimits) }
        try reader.rejectUnknown(["query", "image", "image_url", "k", "lang", "filter", "min_score", "model"])
        let limits = context.configuration.limits
        let k = try reader.int("k", in: 1...limits.maxSearchResults) ?? 10
        let language = try reader.choice("lang", as: QueryLanguage.self) ?? .auto
        let minScore = try reader.number("min_score")
        if let minScore, !(-1...1).contains(minScore) {
            throw APIError.invalidField("min_score", "'min_score' is a cosine similarity between -1 and 1, got \(minScore)")
        }
        let filter = try SearchFilter.read(reader, limits: context.configuration.filterLimits)
        if let model = try reader.string("model"), model != context.engine.modelName {
            throw APIError(status: 404, code: "model-not-found", title: "Unknown model",
                           detail: "model '\(model)' is not served here; this server serves '\(context.engine.modelName)'", field: "model")
        }
        // One domain-adapter lease for the check and the query: a swap in between cannot mix spaces.
        let domain = context.engine.domainAdapters.lease()
        let store = try collection.servingStore(for: try context.engine.imageSpace(domain: domain))

        let vector: [Float]
        let lang: String
        let producer: String
        var imageMember = try reader.string("image").map { ImageInput.bytes(try ImagePayload.decode($0, field: "image", maxBytes: limits.maxBodyBytes)) }
        if let url = try reader.string("image_url") {
            guard imageMember == nil else { throw APIError.invalidField("image_url", "give either 'image' or 'image_url', not both") }
            imageMember = .url(url)
        }
        switch (try reader.string("query"), imageMember) {
        case (let query?, nil):
            guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw APIError.invalidField("query", "'query' is empty")
            }
            try TextBudget(limits).check(query, field: "query")
            let embedding = try await context.engine.embedTexts([query], language: language, domain: domain, deadline: deadline)[0]
            (vector, lang, producer) = (embedding.vector, embedding.language.rawValue, embedding.producer)
        case (nil, let image?):
            let imageField = image.member(inline: "image", url: "image_url")
            let bytes = try await image.load(context, field: imageField, deadline: deadline)
            do {
                vector = try await context.engine.embedImages([bytes], domain: domain, deadline: deadline)[0]
            } catch EngineError.image(_, let error) {
                throw APIError.from(EngineError.image(index: 0, error), imageField: { _ in imageField }) ?? error
            }
            (lang, producer) = ("image", context.engine.modelName)
        case (nil, nil):
            throw APIError.missingField("query")
        case (_?, _?):
            throw APIError.invalidField("image", "give either 'query' or 'image', not both")
        }

        // The index search is CPU work (a flat index scans every vector): off the HTTP threads.
        let found: [SearchHit]
        do {
            found = try await context.engine.requestWork.run(deadline: deadline) { [filter] _ in
                try store.search(vector, k: k, filter: filter)
            }
        } catch let refusal as MetadataFilterRefusal {
            throw SearchFilter.problem(refusal)
        }
        let hits = found
            .filter { minScore == nil || Double($0.score) >= minScore! }
            .map { Response.Hit(id: $0.item.id, score: $0.score, uri: $0.item.uri, caption: $0.item.caption, metadata: $0.item.metadata) }
        return try .encoded(Response(model: context.engine.modelName, lang: lang, producer: producer, hits: hits))
    }
}
