import HTTPServer

/// `/admin/ingest`: background ingest jobs over a folder the server reads or a list of URLs,
/// their progress (rate, ETA) and cancellation. Every handler first checks the admin token
/// (404 when none is configured), like `ReindexRoutes`.
enum IngestRoutes {
    /// `{"path": "/srv/photos/2024", "recursive"?: true}` or `{"urls": ["https://…", …]}`:
    /// 202 with the job's status and `Location: /admin/ingest/{id}`.
    static func start(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let collection = try context.requireEmbeddedCollection(for: "ingest jobs")
        let reader = try FieldReader.parseBody(request.body, limits: context.jsonLimits)
        try reader.rejectUnknown(["path", "recursive", "urls"])
        let status: IngestJobStatus
        switch (try reader.string("path"), try reader.strings("urls", limit: context.configuration.ingest.maxJobFiles, allowSingle: false)) {
        case (let path?, nil):
            status = try context.ingestJobs.startFolder(
                path: path, recursive: try reader.bool("recursive") ?? true, collection: collection, engine: context.engine)
        case (nil, let urls?):
            if reader.value("recursive") != nil { throw APIError.invalidField("recursive", "'recursive' applies to 'path' only") }
            status = try context.ingestJobs.startURLs(urls, collection: collection, engine: context.engine)
        case (nil, nil): throw APIError.missingField("path")
        case (_?, _?): throw APIError.invalidField("urls", "give either 'path' or 'urls', not both")
        }
        var response = try HTTPResponse.encoded(status, status: HTTPStatus(code: 202))
        response.headers.set("Location", "/admin/ingest/\(status.id)")
        return response
    }

    struct JobList: Encodable {
        let jobs: [IngestJobStatus]
    }

    static func list(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(JobList(jobs: try context.ingestJobs.list(collection: try context.requireEmbeddedCollection(for: "ingest jobs"))))
    }

    static func status(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(try context.ingestJobs.status(try jobID(request), collection: try context.requireEmbeddedCollection(for: "ingest jobs")))
    }

    /// `DELETE /admin/ingest/{id}` and `POST /admin/ingest/{id}/cancel`: the job stops after the
    /// batch committing now; what it stored stays, and a finished job is left as it is.
    static func cancel(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        return try .encoded(try context.ingestJobs.cancel(try jobID(request), collection: try context.requireEmbeddedCollection(for: "ingest jobs")))
    }

    private static func jobID(_ request: HTTPRequest) throws(APIError) -> Int64 {
        let text = request.pathParameters["id"] ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError.invalidField("id", "'id' must be a positive integer, got \"\(text)\"") }
        return id
    }
}
