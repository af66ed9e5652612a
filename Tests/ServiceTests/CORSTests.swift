import Foundation
import Testing
@testable import Service

/// Cross-origin calls from browsers, over real sockets: preflights answered for allowed
/// origins only, answers marked with the origin and `Vary: Origin`, the admin surface never.
@Suite struct CORSTests {
    static let allowed = "https://photos.example"

    @Test func preflightFromAnAllowedOriginIsAnsweredWithTheCORSHeaders() async throws {
        try await withService(["cors.allowed_origins": #"["\#(Self.allowed)"]"#]) { service in
            let reply = try await service.request("OPTIONS", "/v1/embeddings", contentType: nil, headers: [
                "Origin": Self.allowed, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            ])
            #expect(reply.status == 204)
            #expect(reply.headers["access-control-allow-origin"] == Self.allowed)
            #expect(reply.headers["access-control-allow-methods"]?.contains("POST") == true)
            #expect(reply.headers["access-control-allow-headers"]?.lowercased().contains("authorization") == true)
            #expect(reply.headers["access-control-max-age"] == String(CORSPolicy.preflightMaxAgeSeconds))
            #expect(reply.headers["allow"] == "POST, OPTIONS")
        }
    }

    @Test func aDisallowedOriginGetsNoCORSHeaders() async throws {
        try await withService(["cors.allowed_origins": #"["\#(Self.allowed)"]"#]) { service in
            let preflight = try await service.request("OPTIONS", "/v1/embeddings", contentType: nil, headers: [
                "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
            ])
            #expect(preflight.status == 204)
            #expect(preflight.headers["access-control-allow-origin"] == nil)
            #expect(preflight.headers["access-control-allow-methods"] == nil)
            let answer = try await service.post("/v1/embeddings", json: ["input": "a cat"], headers: ["Origin": "https://evil.example"])
            #expect(answer.status == 200)
            #expect(answer.headers["access-control-allow-origin"] == nil)
            #expect(answer.headers["vary"]?.contains("Origin") == true)
        }
    }

    @Test func answersToAnAllowedOriginNameItAndVaryByOrigin() async throws {
        try await withService(["cors.allowed_origins": #"["\#(Self.allowed)"]"#]) { service in
            let answer = try await service.post("/v1/embeddings", json: ["input": "a cat"], headers: ["Origin": Self.allowed])
            #expect(answer.status == 200)
            #expect(answer.headers["access-control-allow-origin"] == Self.allowed)
            #expect(answer.headers["vary"]?.contains("Origin") == true)
            // Refusals reach the page too, so its script can show why.
            let refused = try await service.post("/v1/embeddings", json: [:], headers: ["Origin": Self.allowed])
            #expect(refused.status == 400)
            #expect(refused.headers["access-control-allow-origin"] == Self.allowed)
        }
    }

    @Test func theAdminSurfaceNeverAnswersCrossOrigin() async throws {
        try await withService(["cors.allowed_origins": #"["*"]"#], environment: ["ADAPTCLIP_ADMIN_TOKEN": "t0ken"]) { service in
            let preflight = try await service.request("OPTIONS", "/admin/adapters", contentType: nil, headers: [
                "Origin": Self.allowed, "Access-Control-Request-Method": "GET",
            ])
            #expect(preflight.status == 204)
            #expect(preflight.headers["access-control-allow-origin"] == nil)
            let user = try await service.request("OPTIONS", "/v1/images", contentType: nil, headers: [
                "Origin": Self.allowed, "Access-Control-Request-Method": "GET",
            ])
            #expect(user.headers["access-control-allow-origin"] == "*")
        }
    }

    @Test func withoutConfiguredOriginsOptionsStillAnswersButWithoutCORS() async throws {
        try await withService { service in
            let reply = try await service.request("OPTIONS", "/v1/images/{id}".replacingOccurrences(of: "{id}", with: "42"), contentType: nil, headers: [
                "Origin": Self.allowed, "Access-Control-Request-Method": "DELETE",
            ])
            #expect(reply.status == 204)
            #expect(reply.headers["allow"] == "GET, DELETE, HEAD, OPTIONS")
            #expect(reply.headers["access-control-allow-origin"] == nil)
            #expect(reply.headers["vary"] == nil)
        }
    }

    @Test func originsMustBeOriginsOrTheWildcard() {
        #expect(CORSPolicy.check(.list([.string("https://a.example"), .string("http://localhost:5173"), .string("*")])) == nil)
        #expect(CORSPolicy.check(.list([.string("https://a.example/")])) != nil)
        #expect(CORSPolicy.check(.list([.string("https://a.example/app")])) != nil)
        #expect(CORSPolicy.check(.list([.string("a.example")])) != nil)
        #expect(CORSPolicy.check(.list([.integer(3)])) != nil)
    }
}
