import Engine
import Foundation
import HTTPServer
import JSON
import Retrieval

/// `/v1/images`: add (upload or data URI; duplicates by sha256 answer with the existing id),
/// read, fetch bytes, delete, page through.
enum ImagesRoutes {
    struct ItemView: Encodable {
        let id: Int64
        /// `StoredItem.publicPath`: relative to the data directory or to what was ingested,
        /// never an absolute server path.
        let uri: String
        let sha256: String
        let width: Int?
        let height: Int?
        let caption: String?
        let metadata: [String: JSONValue]
        let created_at: String

        init(_ item: StoredItem) {
            (id, uri, sha256, width, height) = (item.id, item.publicPath, item.sha256, item.width, item.height)
            (caption, metadata, created_at) = (item.caption, item.metadata, item.createdAt)
        }
    }

    struct Page: Encodable {
        let items: [ItemView]
        /// Pass as `after` for the next page; absent on the last page.
        let next_after: Int64?
    }

    static func add(_ http: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        let collection = try context.requireCollection()
        let limits = context.configuration.limits
        var bytes = Data()
        var caption: String?
        var metadata: [String: JSONValue] = [:]
        var imageField = "image"
        var path: String?
        let deadline = context.deadline()
        let jsonLimits = context.jsonLimits
        switch try await context.parsing(http, deadline: deadline, { try RequestBody.parse(http, json: jsonLimits) }) {
        case .json(let reader):
            try reader.rejectUnknown(["image", "image_url", "caption", "metadata"])
            switch (try reader.string("image"), try reader.string("image_url")) {
            case (let image?, nil): bytes = try ImagePayload.decode(image, field: "image", maxBytes: limits.maxBodyBytes)
            case (nil, let url?):
                imageField = "image_url"
                bytes = try await ImageInput.url(url).load(context, field: imageField, deadline: deadline)
            case (nil, nil): throw APIError.missingField("image")
            case (_?, _?): throw APIError.invalidField("image_url", "give either 'image' or 'image_url', not both")
            }
            caption = try reader.string("caption")
            metadata = try reader.object("metadata")?.members ?? [:]
        case .multipart(let form):
            try form.rejectUnknown(["file", "image", "caption", "metadata"])
            guard let file = form.first(named: "file") ?? form.first(named: "image") else { throw APIError.missingField("file") }
            imageField = file.name
            bytes = Data(file.body)
            path = file.filename
            caption = try form.text("caption")
            if let text = try form.text("metadata") {
                let reader = try FieldReader.parseBody(Array("{\"metadata\":\(text)}".utf8))
                metadata = try reader.object("metadata")?.members ?? [:]
            }
        }
        let added: ImageLibrary.Added
        do {
            added = try await collection.add(bytes, path: path, caption: caption, metadata: metadata, engine: context.engine, deadline: deadline)
        } catch EngineError.image(_, let error) {
            throw APIError.from(EngineError.image(index: 0, error), imageField: { [imageField] _ in imageField }) ?? error
        }
        context.metrics.recordIndexSize(of: collection)
        var response = try HTTPResponse.encoded(ItemView(added.item), status: added.created ? .created : .ok)
        response.headers.set("Location", "/v1/images/\(added.item.id)")
        return response
    }

    static func get(_ http: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try .encoded(ItemView(try item(http, context)))
    }

    static func content(_ http: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        let item = try item(http, context)
        guard let (data, mediaType) = try context.requireCollection().content(of: item) else { throw contentMissing(item) }
        return HTTPResponse(status: .ok, headers: ["Content-Type": mediaType], body: Array(data))
    }

    static func delete(_ http: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        let collection = try context.requireCollection()
        _ = try collection.delete(try item(http, context))
        context.metrics.recordIndexSize(of: collection)
        return HTTPResponse(status: .noContent)
    }

    static func list(_ http: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        let collection = try context.requireCollection()
        let after = try queryInt(http, "after", in: 0...Int.max) ?? 0
        let limit = try queryInt(http, "limit", in: 1...1000) ?? 100
        let items = try collection.store.items(after: Int64(after), limit: limit)
        return try .encoded(Page(items: items.map(ItemView.init), next_after: items.count == limit ? items.last?.id : nil))
    }

    /// The item's row exists but its file cannot be read (an operator's file moved away).
    static func contentMissing(_ item: StoredItem) -> APIError {
        APIError(status: 404, code: "content-missing", title: "Image bytes unavailable",
                 detail: "item \(item.id) is indexed but its file \(item.publicPath) cannot be read", field: "id")
    }

    /// The item the path's `{id}` names: 400 for an id that is not a positive integer, 404 for
    /// one not stored.
    static func item(_ http: HTTPRequest, _ context: ServiceContext) throws -> StoredItem {
        let text = http.pathParameters["id"] ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError.invalidField("id", "'id' must be a positive integer, got \"\(text)\"")
        }
        guard let item = try context.requireCollection().store.item(id: id) else { throw notFound(id) }
        return item
    }

    /// No image with this id is stored.
    static func notFound(_ id: Int64) -> APIError {
        APIError(status: 404, code: "image-not-found", title: "Unknown image", detail: "no image with id \(id)", field: "id")
    }

    private static func queryInt(_ http: HTTPRequest, _ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = http.queryValue(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.invalidField(name, "'\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }
}
