import Engine
import Foundation
import HTTPServer

/// `POST /v1/classify`: zero-shot classification of one image against labels, each label put
/// into a prompt template and embedded as text (cached), scored by cosine similarity, and
/// turned into probabilities by a softmax over cosine × the model's logit scale — exactly
/// CLIP's `logits_per_image`.
enum ClassifyRoute {
    static let standardTemplates: [QueryLanguage: String] = [.en: "a photo of a {}.", .zh: "一张{}的照片。", .zhRaw: "一张{}的照片。"]

    struct Request {
        var image = ImageInput.bytes(Data())
        var labels: [String] = []
        var language = QueryLanguage.auto
        var template: String?
        /// A learned prompt by name (`PromptRegistry`) instead of a template.
        var prompt: String?
    }

    struct Response: Encodable {
        struct Label: Encodable {
            let label: String
            let score: Float
            let probability: Float
        }
        let model: String
        let lang: String
        /// nil when a learned prompt made the class features.
        let template: String?
        /// `name@version` of the learned prompt, when one was used.
        let prompt: String?
        let labels: [Label]

        /// Encodes `template: null` explicitly (clients switch on it) and omits `prompt` when unused.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(lang, forKey: .lang)
            try c.encode(template, forKey: .template)
            try c.encodeIfPresent(prompt, forKey: .prompt)
            try c.encode(labels, forKey: .labels)
        }

        enum CodingKeys: String, CodingKey { case model, lang, template, prompt, labels }
    }

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let deadline = context.deadline()
        let request = try await context.parsing(http, deadline: deadline) { try parse(http, context) }
        let engine = context.engine
        if let name = request.prompt { return try await classifyWithPrompt(name, request, context, deadline: deadline) }
        // One language for the whole label set, so every label gets the same template and path.
        let language = LanguageRouter.resolve(request.language, text: request.labels.joined(separator: " "))
        let template = request.template ?? context.defaultTemplates[language] ?? "a photo of a {}."
        try TextBudget(context.configuration.limits).checkPrompts(template: template, labels: request.labels)
        let prompts = request.labels.map { template.replacingOccurrences(of: "{}", with: $0) }

        let imageField = request.image.member(inline: "image", url: "image_url")
        let imageBytes = try await request.image.load(context, field: imageField, deadline: deadline)
        // One domain-adapter lease for the image and its labels: both sides of one activation.
        let domain = engine.domainAdapters.lease()
        async let imageVectors = engine.embedImages([imageBytes], domain: domain, deadline: deadline)
        async let textEmbeddings = engine.embedTexts(prompts, language: language, domain: domain, deadline: deadline)
        let image: [Float]
        do { image = try await imageVectors[0] } catch EngineError.image(_, let error) {
            throw APIError.from(EngineError.image(index: 0, error), imageField: { _ in imageField }) ?? error
        }
        let texts = try await textEmbeddings

        let ranked = ZeroShotRanking.rank(
            labels: request.labels, prompts: texts.map(\.vector), image: image, logitScale: engine.logitScale
        ).map { Response.Label(label: $0.label, score: $0.score, probability: $0.probability) }
        return try .encoded(Response(model: engine.modelName, lang: language.rawValue, template: template, prompt: nil, labels: ranked))
    }

    /// With a learned prompt the labels are class names in English (CLIP's tokenizer), so `lang`
    /// is "en"; the prompt replaces the template.
    static func classifyWithPrompt(
        _ name: String, _ request: Request, _ context: ServiceContext, deadline: ContinuousClock.Instant
    ) async throws -> HTTPResponse {
        let engine = context.engine
        // One lookup: a prompt replaced during this request does not change its answer.
        guard let entry = engine.prompts.registry.entry(named: name) else {
            throw APIError(status: 404, code: "prompt-not-found", title: "Unknown prompt",
                           detail: "no learned prompt named '\(name)' is loaded", field: "prompt")
        }
        let imageField = request.image.member(inline: "image", url: "image_url")
        let imageBytes = try await request.image.load(context, field: imageField, deadline: deadline)
        let result: PromptClassifier.Classification
        do {
            result = try await engine.classify(image: imageBytes, labels: request.labels, prompt: entry, deadline: deadline)
        } catch EngineError.image(_, let error) {
            throw APIError.from(EngineError.image(index: 0, error), imageField: { _ in imageField }) ?? error
        } catch EngineError.label(let index, let reason) {
            throw APIError.invalidField("labels[\(index)]", "'labels[\(index)]' \(reason) with prompt '\(name)'")
        }
        let ranked = ZeroShotRanking.rank(
            labels: request.labels, prompts: result.classes, image: result.image, logitScale: engine.logitScale
        ).map { Response.Label(label: $0.label, score: $0.score, probability: $0.probability) }
        return try .encoded(Response(
            model: engine.modelName, lang: QueryLanguage.en.rawValue, template: nil, prompt: "\(entry.identity)",
            labels: ranked))
    }

    static func parse(_ http: HTTPRequest, _ context: ServiceContext) throws(APIError) -> Request {
        let limits = context.configuration.limits
        var request = Request()
        switch try RequestBody.parse(http, json: context.jsonLimits) {
        case .json(let reader):
            try reader.rejectUnknown(["image", "image_url", "labels", "lang", "template", "prompt", "model"])
            request.prompt = try reader.string("prompt")
            switch (try reader.string("image"), try reader.string("image_url")) {
            case (let image?, nil): request.image = .bytes(try ImagePayload.decode(image, field: "image", maxBytes: limits.maxBodyBytes))
            case (nil, let url?): request.image = .url(url)
            case (nil, nil): throw APIError.missingField("image")
            case (_?, _?): throw APIError.invalidField("image_url", "give either 'image' or 'image_url', not both")
            }
            guard let labels = try reader.strings("labels", limit: limits.maxLabels, allowSingle: false) else {
                throw APIError.missingField("labels")
            }
            request.labels = labels
            request.language = try reader.choice("lang", as: QueryLanguage.self) ?? .auto
            request.template = try reader.string("template")
        case .multipart(let form):
            try form.rejectUnknown(["image", "file", "labels", "lang", "template", "prompt"])
            guard let file = form.first(named: "image") ?? form.first(named: "file") else { throw APIError.missingField("image") }
            request.image = .bytes(Data(file.body))
            request.labels = try labels(form.all(named: "labels"), limit: limits.maxLabels)
            if let lang = try form.text("lang") {
                request.language = try FieldReader(members: ["lang": .string(lang)]).choice("lang", as: QueryLanguage.self) ?? .auto
            }
            request.template = try form.text("template")
            request.prompt = try form.text("prompt")
        }
        if request.prompt != nil, request.template != nil {
            throw APIError.invalidField("template", "give either 'template' or 'prompt', not both")
        }
        if let template = request.template, !template.contains("{}") {
            throw APIError.invalidField("template", "'template' must contain {} where the label goes")
        }
        try TextBudget(limits).check(request.labels, field: "labels")
        if let blank = request.labels.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw APIError.invalidField("labels[\(blank)]", "'labels[\(blank)]' is empty")
        }
        guard Set(request.labels).count == request.labels.count else {
            throw APIError.invalidField("labels", "'labels' has duplicates; each label must be distinct")
        }
        return request
    }

    /// Labels from form fields: one per `labels` part, or one part holding a JSON array.
    private static func labels(_ parts: [MultipartFormData.Part], limit: Int) throws(APIError) -> [String] {
        guard !parts.isEmpty else { throw APIError.missingField("labels") }
        if parts.count == 1, let text = parts[0].text, text.hasPrefix("[") {
            let reader = try FieldReader.parseBody(Array("{\"labels\":\(text)}".utf8))
            return try reader.strings("labels", limit: limit, allowSingle: false) ?? []
        }
        guard parts.count <= limit else { throw APIError.tooMany("labels", count: parts.count, limit: limit) }
        return try parts.map { part throws(APIError) in
            guard let text = part.text else { throw APIError.invalidField("labels", "'labels' is not valid UTF-8") }
            return text
        }
    }
}
