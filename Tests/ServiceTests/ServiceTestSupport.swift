import Foundation
import Logging
import TestSupport
import Testing
@testable import Service
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real service on a loopback port, serving the tiny fixture CLIP.
struct LiveService {
    static let fixtures = RepositoryPaths.fixtures

    let running: ServiceRunner.Running
    let dataDirectory: URL
    var base: String { "http://127.0.0.1:\(running.port)" }

    /// `embeddedDefault`: serve what `adaptclip serve` with no flags serves (models/demo) instead
    /// of the tiny fixture CLIP.
    /// `accessLog`: a descriptor the access lines go to (they are written at level info, so the
    /// logger is at info then), instead of standard error.
    static func start(
        _ overrides: [String: String] = [:], environment: [String: String] = [:], embeddedDefault: Bool = false,
        accessLog: Int32? = nil, listening: (@Sendable (Int) async -> Void)? = nil
    ) async throws -> LiveService {
        let data = try TemporaryDirectory.make()
        var all: [String: String] = [
            "server.port": "0", "data_dir": data.path, "models.clip": fixtures.appendingPathComponent("engine/tiny-clip").path,
            "limits.max_inputs_per_request": "4", "limits.max_labels": "5", "logging.level": "warning",
        ]
        all.merge(overrides) { _, new in new }
        if embeddedDefault { all["models.clip"] = nil }
        let configuration = try ConfigurationLoader(environment: environment, overrides: all).load()
        var logger = Logger(label: "service-test")
        logger.logLevel = accessLog == nil ? .warning : .info
        let running = try await ServiceRunner.start(
            configuration: configuration, logger: logger, accessLog: accessLog.map { .text(fileDescriptor: $0) } ?? .standardError,
            listening: listening)
        return LiveService(running: running, dataDirectory: data)
    }

    func stop() async {
        await halt()
        TemporaryDirectory.remove(dataDirectory)
    }

    /// Stops serving and closes the collection, keeping the data directory (a restart test
    /// starts another service on it). Ingest jobs stop unfinished, as a stopped process leaves them.
    func halt() async {
        await running.server.shutdown(gracePeriod: .seconds(2))
        await running.context.ingestJobs.stopAll()
        try? running.context.collection?.close()
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func request(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = "application/json",
        headers: [String: String] = [:]
    ) async throws -> Reply {
        try await Self.request(port: running.port, method, path, body: body, contentType: contentType, headers: headers)
    }

    /// The same against a server known only by its port (one still starting).
    static func request(
        port: Int, _ method: String, _ path: String, body: Data? = nil, contentType: String? = "application/json",
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)" + path)!)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    func post(_ path: String, json: Any, headers: [String: String] = [:]) async throws -> Reply {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: json), headers: headers)
    }

    func postMultipart(_ path: String, fields: [(String, String)], files: [(name: String, filename: String, data: Data)]) async throws -> Reply {
        let boundary = "adaptclip-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        for file in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(file.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return try await request("POST", path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    static func image(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent("images/\(name)"))
    }

    static func dataURI(_ name: String) throws -> String {
        "data:image/png;base64," + (try image(name)).base64EncodedString()
    }
}

/// Runs `body` against a fresh service and always stops it.
func withService(
    _ overrides: [String: String] = [:], environment: [String: String] = [:], embeddedDefault: Bool = false,
    _ body: (LiveService) async throws -> Void
) async throws {
    let service = try await LiveService.start(overrides, environment: environment, embeddedDefault: embeddedDefault)
    do {
        try await body(service)
    } catch {
        await service.stop()
        throw error
    }
    await service.stop()
}

/// Expects a problem document with `status` that names `field`.
func expectProblem(_ reply: LiveService.Reply, status: Int, field: String?, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "status \(reply.status): \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.headers["content-type"] == "application/problem+json", sourceLocation: sourceLocation)
    if let field { #expect(reply.json["field"] as? String == field, "\(reply.text)", sourceLocation: sourceLocation) }
    #expect(reply.json["requestId"] is String, sourceLocation: sourceLocation)
}
