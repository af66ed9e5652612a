import Engine
import Foundation
import HTTPServer
import JSON

/// `POST /v1/embeddings` in OpenAI's request and response shape, so existing embedding clients
/// work unchanged; `modality`, `lang` and `adapter` are this service's extensions.
enum EmbeddingsRoute {
    enum Modality: String, CaseIterable { case text, image }
    enum EncodingFormat: String, CaseIterable { case float, base64 }

    struct Request {
        var texts: [String] = []
        var images: [ImageInput] = []
        var modality = Modality.text
        var language = QueryLanguage.auto
        var format = EncodingFormat.float
    }

    struct Response: Encodable {
        struct Item: Encodable {
            let object = "embedding"
            let index: Int
            let embedding: Vector
            /// Present for texts: the text was longer than the model reads.
            let truncated: Bool?
            /// Present for texts: the path that embedded it (`auto` resolved).
            let lang: String?
            /// Present for texts: the model (and adapter version) that produced the vector.
            let producer: String?
        }
        struct Usage: Encodable {
            let prompt_tokens: Int
            let total_tokens: Int
        }
        let object = "list"
        let data: [Item]
        let model: String
        let usage: Usage
    }

    /// A float array, or OpenAI's base64 of little-endian float32s.
    enum Vector: Encodable {
        case floats([Float])
        case base64(String)

        init(_ values: [Float], format: EncodingFormat) {
            switch format {
            case .float: self = .floats(values)
            case .base64:
                // Float storage is little-endian on every platform this service runs on.
                self = .base64(values.withUnsafeBytes { Data($0) }.base64EncodedString())
            }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .floats(let values): try container.encode(values)
            case .base64(let text): try container.encode(text)
            }
        }
    }

    static func handle(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let deadline = context.deadline()
        let request = try await context.parsing(http, deadline: deadline) { try parse(http, context) }
        let engine = context.engine
        var items: [Response.Item] = []
        var tokens = 0
        switch request.modality {
        case .text:
            let embeddings = try await engine.embedTexts(request.texts, language: request.language, deadline: deadline)
            for (index, embedding) in embeddings.enumerated() {
                tokens += embedding.tokenCount
                items.append(Response.Item(
                    index: index, embedding: Vector(embedding.vector, format: request.format),
                    truncated: embedding.truncated, lang: embedding.language.rawValue, producer: embedding.producer))
            }
        case .image:
            var bytes: [Data] = []
            for (index, image) in request.images.enumerated() { bytes.append(try await image.load(context, field: "input[\(index)]", deadline: deadline)) }
            let vectors = try await engine.embedImages(bytes, deadline: deadline)
            for (index, vector) in vectors.enumerated() {
                items.append(Response.Item(
                    index: index, embedding: Vector(vector, format: request.format), truncated: nil, lang: nil, producer: nil))
            }
        }
        return try .encoded(Response(
            data: items, model: engine.modelName, usage: .init(prompt_tokens: tokens, total_tokens: tokens)))
    }

    static func parse(_ http: HTTPRequest, _ context: ServiceContext) throws(APIError) -> Request {
        let limits = context.configuration.limits
        var request = Request()
        var model: String?
        switch try RequestBody.parse(http, json: context.jsonLimits) {
        case .json(let reader):
            try reader.rejectUnknown(["input", "model", "encoding_format", "modality", "lang", "adapter", "user", "dimensions"])
            model = try reader.string("model")
            // OpenAI's end-user tag: not used here, but refused unless it is the documented string.
            _ = try reader.string("user")
            request.modality = try reader.choice("modality", as: Modality.self) ?? .text
            request.language = try reader.choice("lang", as: QueryLanguage.self) ?? .auto
            request.format = try reader.choice("encoding_format", as: EncodingFormat.self) ?? .float
            if let adapter = try reader.string("adapter") { throw unknownAdapter(adapter) }
            if let dimensions = try reader.int("dimensions", in: 1...65_536), dimensions != context.engine.dimension {
                throw APIError.invalidField(
                    "dimensions", "this model's embeddings have \(context.engine.dimension) dimensions; got \(dimensions)")
            }
            try refuseTokenArrays(reader.value("input"))
            guard let inputs = try reader.strings("input", limit: context.configuration.maxEmbeddingInputs) else {
                throw APIError.missingField("input")
            }
            switch request.modality {
            case .text: request.texts = inputs
            case .image:
                // Images stay at limits.max_inputs_per_request: each may be megabytes to decode.
                guard inputs.count <= limits.maxInputsPerRequest else {
                    throw APIError.tooMany("input", count: inputs.count, limit: limits.maxInputsPerRequest)
                }
                request.images = try inputs.enumerated().map { (index, text) throws(APIError) in
                    try ImageInput.parse(text, field: "input[\(index)]", maxBytes: limits.maxBodyBytes)
                }
            }
        case .multipart(let form):
            try form.rejectUnknown(["input", "file", "model", "encoding_format", "modality", "lang"])
            model = try form.text("model")
            request.language = try choice(form, "lang", QueryLanguage.self) ?? .auto
            request.format = try choice(form, "encoding_format", EncodingFormat.self) ?? .float
            let files = form.parts.filter { $0.filename != nil || $0.name == "file" }
            let texts = form.all(named: "input").filter { $0.filename == nil }
            let declared = try choice(form, "modality", Modality.self)
            request.modality = declared ?? (files.isEmpty ? .text : .image)
            switch request.modality {
            case .image:
                guard !files.isEmpty else { throw APIError.missingField("file") }
                guard files.count <= limits.maxInputsPerRequest else {
                    throw APIError.tooMany("file", count: files.count, limit: limits.maxInputsPerRequest)
                }
                request.images = files.map { .bytes(Data($0.body)) }
            case .text:
                guard !texts.isEmpty else { throw APIError.missingField("input") }
                guard texts.count <= context.configuration.maxEmbeddingInputs else {
                    throw APIError.tooMany("input", count: texts.count, limit: context.configuration.maxEmbeddingInputs)
                }
                request.texts = try texts.map { part throws(APIError) in
                    guard let text = part.text else { throw APIError.invalidField("input", "'input' is not valid UTF-8") }
                    return text
                }
            }
        }
        try TextBudget(limits).check(request.texts, field: "input")
        if let model {
            guard let choice = ServedModels.choice(named: model, context.engine) else {
                throw ServedModels.unknown(model, context.engine)
            }
            // Naming a language path is how OpenAI clients (which cannot send `lang`) pick it.
            if case .language(let language) = choice, request.language == .auto { request.language = language }
        }
        return request
    }

    /// OpenAI's API also takes token ids (`[1, 2, 3]` or `[[1, 2, 3]]`); this model's tokenizer
    /// is not OpenAI's, so ids would mean other words. Refused with a message saying so.
    static func refuseTokenArrays(_ input: JSONValue?) throws(APIError) {
        guard case .array(let items)? = input, let first = items.first else { return }
        func isNumber(_ value: JSONValue) -> Bool {
            switch value {
            case .integer, .number: true
            default: false
            }
        }
        let isTokens: Bool
        switch first {
        case .array(let inner): isTokens = inner.allSatisfy(isNumber)  // [] too: an empty id list
        default: isTokens = isNumber(first)
        }
        if isTokens {
            throw APIError.invalidField(
                "input", "token-id inputs ([1, 2, 3] or [[1, 2, 3]]) are not supported: this server's tokenizer differs from OpenAI's; send the texts as strings")
        }
    }

    static func unknownAdapter(_ name: String) -> APIError {
        APIError(status: 404, code: "adapter-not-found", title: "Unknown adapter",
                 detail: "no adapter named '\(name)' is loaded", field: "adapter")
    }

    private static func choice<E: RawRepresentable & CaseIterable>(
        _ form: MultipartFormData, _ name: String, _ type: E.Type
    ) throws(APIError) -> E? where E.RawValue == String {
        guard let text = try form.text(name) else { return nil }
        return try FieldReader(members: [name: .string(text)]).choice(name, as: type)
    }
}
