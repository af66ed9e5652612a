import Engine
import Foundation
import HTTPServer
import JSON
import Retrieval

/// `POST /v1/search`: text (English or Chinese), image or stored-item ("more like this") query
/// → top-k stored images.
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
        /// The text path used, "image" for an image query, "id" for a stored item's.
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
        try reader.rejectUnknown(Set(QueryVector.members + ["k", "lang", "filter", "min_score", "model"]))
        let limits = context.configuration.limits
        let k = try reader.int("k", in: 1...limits.maxSearchResults) ?? 10
        var language = try reader.choice("lang", as: QueryLanguage.self) ?? .auto
        let minScore = try reader.number("min_score")
        if let minScore, !(-1...1).contains(minScore) {
            throw APIError.invalidField("min_score", "'min_score' is a cosine similarity between -1 and 1, got \(minScore)")
        }
        let filter = try SearchFilter.read(reader, limits: context.configuration.filterLimits)
        if let model = try reader.string("model") {
            guard let choice = ServedModels.choice(named: model, context.engine) else { throw ServedModels.unknown(model, context.engine) }
            if case .language(let path) = choice, language == .auto { language = path }
        }
        // One domain-adapter lease for the check and the query: a swap in between cannot mix spaces.
        let domain = context.engine.domainAdapters.lease()
        let store = try collection.servingStore(for: try context.engine.imageSpace(domain: domain))

        let query = try await QueryVector.read(reader, context: context, store: store, language: language, domain: domain, deadline: deadline)
        // A stored item's own vector finds the item itself first: "more like this" leaves it out.
        let excluded = query.itemID
        let fetch = excluded == nil ? k : k + 1

        // The index search is CPU work (a flat index scans every vector): off the HTTP threads.
        let found: [SearchHit]
        do {
            found = try await context.engine.requestWork.run(deadline: deadline) { [filter] _ in
                try store.search(query.vector, k: fetch, filter: filter)
            }
        } catch let refusal as MetadataFilterRefusal {
            throw SearchFilter.problem(refusal)
        }
        let hits = found
            .filter { $0.item.id != excluded && (minScore == nil || Double($0.score) >= minScore!) }
            .prefix(k)
            .map { Response.Hit(id: $0.item.id, score: $0.score, uri: $0.item.publicPath, caption: $0.item.caption, metadata: $0.item.metadata) }
        return try .encoded(Response(model: context.engine.modelName, lang: query.lang, producer: query.producer, hits: Array(hits)))
    }
}
