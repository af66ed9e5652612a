import Engine
import HTTPServer

/// `GET /v1/models` and `GET /v1/models/{id}`: OpenAI's list and retrieve shapes, so SDK
/// clients can discover what `model` to send.
enum ModelsRoute {
    struct Listing: Encodable {
        let object = "list"
        let data: [ServedModel]
    }

    static func list(_ context: ServiceContext) throws -> HTTPResponse {
        try .encoded(Listing(data: ServedModels.all(context.engine)))
    }

    static func get(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        let id = request.pathParameters["id"] ?? ""
        let models = ServedModels.all(context.engine)
        guard let model = models.first(where: { $0.id == id }) ?? models.first(where: { $0.name == id }) else {
            throw ServedModels.unknown(id, context.engine)
        }
        return try .encoded(model)
    }
}
