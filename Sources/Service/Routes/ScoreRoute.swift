import Engine
import Foundation
import HTTPServer
import Numerics

/// `POST /v1/score`: CLIPScore for image–text pairs, the data-curation measure (filtering web
/// pairs by alignment, as LAION did): CLIPScore = 2.5 · max(cos(image, text), 0) (Hessel et al.,
/// 2021), with the raw cosine alongside so callers can threshold either.
enum ScoreRoute {
    /// The rescaling weight of the CLIPScore paper.
    static let weight: Float = 2.5

    struct Response: Encodable {
        struct Score: Encodable {
            let index: Int
            let cosine: Float
            let clip_score: Float
            let truncated: Bool
        }
        let model: String
        let scores: [Score]
    }

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let limits = context.configuration.limits
        let deadline = context.deadline()
        let jsonLimits = context.jsonLimits
        let reader = try await context.parsing(http, deadline: deadline) { try FieldReader.parseBody(http.body, limits: jsonLimits) }
        try reader.rejectUnknown(["pairs", "lang"])
        let language = try reader.choice("lang", as: QueryLanguage.self) ?? .auto
        guard case .array(let items)? = reader.value("pairs") else {
            if reader.value("pairs") == nil { throw APIError.missingField("pairs") }
            throw APIError.invalidField("pairs", "'pairs' must be an array of {\"image\", \"text\"} objects")
        }
        guard !items.isEmpty else { throw APIError.invalidField("pairs", "'pairs' must not be empty") }
        guard items.count <= limits.maxInputsPerRequest else {
            throw APIError.tooMany("pairs", count: items.count, limit: limits.maxInputsPerRequest)
        }
        var images: [Data] = []
        /// The member that held each pair's image (`pairs[i].image` or `pairs[i].image_url`).
        var imageFields: [String] = []
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                throw APIError.invalidField("pairs[\(index)]", "'pairs[\(index)]' must be an object with image and text")
            }
            let pair = FieldReader(members: members, path: "pairs[\(index)]")
            try pair.rejectUnknown(["image", "image_url", "text"])
            let text = try pair.requiredString("text")
            try TextBudget(limits).check(text, field: pair.name("text"))
            texts.append(text)
            switch (try pair.string("image"), try pair.string("image_url")) {
            case (let image?, nil):
                imageFields.append(pair.name("image"))
                images.append(try ImagePayload.decode(image, field: pair.name("image"), maxBytes: limits.maxBodyBytes))
            case (nil, let url?):
                imageFields.append(pair.name("image_url"))
                images.append(try await ImageInput.url(url).load(context, field: pair.name("image_url"), deadline: deadline))
            case (nil, nil): throw APIError.missingField(pair.name("image"))
            case (_?, _?): throw APIError.invalidField(pair.name("image_url"), "give either image or image_url, not both")
            }
        }
        let engine = context.engine
        // One domain-adapter lease for every pair: both sides of one activation.
        let domain = engine.domainAdapters.lease()
        async let textVectors = engine.embedTexts(texts, language: language, domain: domain, deadline: deadline)
        let imageVectors: [[Float]]
        do { imageVectors = try await engine.embedImages(images, domain: domain, deadline: deadline) } catch EngineError.image(let index, let error) {
            throw APIError.from(EngineError.image(index: index, error), imageField: { [imageFields] in imageFields[$0] }) ?? error
        }
        let embeddings = try await textVectors
        let scores = zip(embeddings, imageVectors).enumerated().map { index, pair in
            let cosine = VectorProducts.dot(pair.0.vector, pair.1)
            return Response.Score(index: index, cosine: cosine, clip_score: weight * max(cosine, 0), truncated: pair.0.truncated)
        }
        return try .encoded(Response(model: engine.modelName, scores: scores))
    }
}
