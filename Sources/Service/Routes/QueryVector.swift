import Engine
import Foundation
import HTTPServer
import Retrieval

/// The query of a `/v1/search` request as a vector in the served store's space: exactly one of
/// `query` (text), `image` / `image_url` (embedded now) or `id` (a stored item's own embedding,
/// read from the store: "more like this").
struct QueryVector {
    let vector: [Float]
    /// The text path used, "image" or "id".
    let lang: String
    /// The model (and adapter version) that embedded the query.
    let producer: String
    /// The stored item the query came from, for `id` queries.
    let itemID: Int64?

    static let members = ["query", "image", "image_url", "id"]

    static func read(
        _ reader: FieldReader, context: ServiceContext, store: any ImageCollectionStore, language: QueryLanguage, domain: DomainLease?,
        deadline: ContinuousClock.Instant
    ) async throws -> QueryVector {
        let given = members.filter { reader.value($0) != nil }
        guard let member = given.first else { throw APIError.missingField("query") }
        guard given.count == 1 else {
            throw APIError.invalidField(given[1], "give exactly one of 'query', 'image', 'image_url' or 'id'; got \(given.joined(separator: " and "))")
        }
        switch member {
        case "query": return try await text(reader, context: context, language: language, domain: domain, deadline: deadline)
        case "id": return try stored(reader, store: store, context: context)
        default: return try await image(reader, member: member, context: context, domain: domain, deadline: deadline)
        }
    }

    private static func text(
        _ reader: FieldReader, context: ServiceContext, language: QueryLanguage, domain: DomainLease?, deadline: ContinuousClock.Instant
    ) async throws -> QueryVector {
        let query = try reader.requiredString("query")
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.invalidField("query", "'query' is empty")
        }
        try TextBudget(context.configuration.limits).check(query, field: "query")
        let embedding = try await context.engine.embedTexts([query], language: language, domain: domain, deadline: deadline)[0]
        return QueryVector(vector: embedding.vector, lang: embedding.language.rawValue, producer: embedding.producer, itemID: nil)
    }

    private static func image(
        _ reader: FieldReader, member: String, context: ServiceContext, domain: DomainLease?, deadline: ContinuousClock.Instant
    ) async throws -> QueryVector {
        let input: ImageInput
        if member == "image" {
            input = .bytes(try ImagePayload.decode(try reader.requiredString("image"), field: "image",
                                                   maxBytes: context.configuration.limits.maxBodyBytes))
        } else {
            input = .url(try reader.requiredString("image_url"))
        }
        let bytes = try await input.load(context, field: member, deadline: deadline)
        do {
            let vector = try await context.engine.embedImages([bytes], domain: domain, deadline: deadline)[0]
            return QueryVector(vector: vector, lang: "image", producer: context.engine.modelName, itemID: nil)
        } catch {
            // Refusals of the one image (its format, its pixels) name the member that held it.
            throw APIError.from(error, imageField: { _ in member }) ?? error
        }
    }

    /// The stored vector of item `id` in the served store: the item must be stored in its space.
    private static func stored(_ reader: FieldReader, store: any ImageCollectionStore, context: ServiceContext) throws -> QueryVector {
        guard let id = try reader.int("id", in: 1...Int.max) else { throw APIError.missingField("id") }
        guard let vector = try store.embedding(id: Int64(id)) else { throw ImagesRoutes.notFound(Int64(id)) }
        return QueryVector(vector: vector, lang: "id", producer: context.engine.modelName, itemID: Int64(id))
    }
}
