import HTTPServer

/// `/admin/reindex`: re-embed the collection after a change of embedding space, and its
/// progress. The adapter routes are `AdapterRoutes`. Every handler first checks the bearer
/// token (404 when none is configured).
enum ReindexRoutes {
    static func startReindex(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let status = try context.reindexer.start(try context.requireEmbeddedCollection(for: "re-index runs"), engine: context.engine, logger: context.logger)
        return try .encoded(status, status: status.state == "running" ? HTTPStatus(code: 202) : .ok)
    }

    static func reindexStatus(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(context.reindexer.status)
    }
}
