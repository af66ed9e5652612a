import Foundation
import HTTPServer
import Models

/// `/admin/adapters`: list, load (validate + warm up), activate (atomic swap), deactivate,
/// delete — for every adapter kind, through the one `AdapterLifecycle`. Every handler first
/// checks the bearer token (404 when none is configured).
enum AdapterRoutes {
    static func list(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let lifecycle = context.adapters
        return try .encoded(AdapterListing(
            slots: lifecycle.slots, items: lifecycle.registry.all.map { $0.adapter.view(lifecycle.status($0)) }))
    }

    static func load(_ request: HTTPRequest, _ context: ServiceContext) async throws -> HTTPResponse {
        try context.admin.check(request)
        let reader = try FieldReader.parseBody(request.body)
        try reader.rejectUnknown(["path", "activate"])
        let path = try reader.requiredString("path")
        let activate = try reader.bool("activate") ?? false
        let entry = try await answering { try await context.adapters.load(path: path, activate: activate) }
        return try .encoded(view(entry, context), status: .created)
    }

    static func activate(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let entry = try answering { try context.adapters.find(request.pathParameters["name"] ?? "") }
        try answering { try context.adapters.activate(entry) }
        return try .encoded(view(entry, context))
    }

    /// Switches a domain adapter off: new requests run the frozen encoders again. A language
    /// adapter cannot be switched off (the zh route needs one); activate another instead.
    static func deactivate(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let entry = try answering { try context.adapters.find(request.pathParameters["name"] ?? "") }
        try answering { try context.adapters.deactivate(entry) }
        return try .encoded(view(entry, context))
    }

    static func unload(_ request: HTTPRequest, _ context: ServiceContext) throws -> HTTPResponse {
        try context.admin.check(request)
        let entry = try answering { try context.adapters.find(request.pathParameters["name"] ?? "") }
        try answering { try context.adapters.delete(entry) }
        return HTTPResponse(status: .noContent)
    }

    private static func view(_ entry: AdapterRegistry.Entry, _ context: ServiceContext) -> AdapterListingItem {
        entry.adapter.view(context.adapters.status(entry))
    }

    /// Runs `body`, answering the lifecycle's refusals as problem documents.
    private static func answering<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let refusal as AdapterLifecycleError { throw APIError(refusal) }
    }

    private static func answering<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let refusal as AdapterLifecycleError { throw APIError(refusal) }
    }
}

extension APIError {
    /// The problem document for a refusal of the adapter lifecycle.
    init(_ refusal: AdapterLifecycleError) {
        switch refusal {
        case .rejected(let error):
            self = AdapterRejection.problem(error)
        case .notFound(let reference):
            self.init(status: 404, code: "adapter-not-found", title: "Unknown adapter",
                      detail: "no loaded adapter named '\(reference)'", field: "name")
        case .ambiguous(let reference, let keys):
            self.init(status: 409, code: "adapter-ambiguous", title: "Ambiguous adapter name",
                      detail: "'\(reference)' matches \(keys.joined(separator: ", ")); use name@version", field: "name")
        case .active(let key):
            self.init(status: 409, code: "adapter-active", title: "Adapter is active",
                      detail: "'\(key)' is serving requests; activate another adapter first", field: "name")
        case .required(let key, let kind):
            self.init(status: 409, code: "adapter-required", title: "Slot needs an adapter",
                      detail: "'\(key)' is a \(kind.noun); its slot always serves one, activate another instead", field: "name")
        case .notActive(let key, let kind):
            self.init(status: 409, code: "adapter-not-active", title: "Adapter is not active",
                      detail: "'\(key)' is not the active \(kind.noun)", field: "name")
        case .servedByName(let key, let kind):
            self.init(status: 409, code: "adapter-served-by-name", title: "Adapter is chosen per request",
                      detail: "'\(key)' is a \(kind.noun): every loaded one serves, chosen by name; DELETE removes it",
                      field: "name")
        }
    }
}
