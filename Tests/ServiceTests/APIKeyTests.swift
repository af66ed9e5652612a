import Foundation
import Glibc
import Testing
@testable import Service

/// Optional API keys on the user routes, over real sockets: no key or a wrong one is 401, the
/// right one passes, a key over its rate is 429 with Retry-After; keys never reach the log.
@Suite struct APIKeyTests {
    static let key = "ak_test_0123456789abcdef"

    /// `auth.api_keys` holding `key` with `perMinute` requests a minute.
    static func keys(perMinute: Int) -> [String: String] {
        ["auth.api_keys": #"[{"name": "app", "sha256": "\#(APIKeyEntry.hexDigest(ofKey: key))", "requests_per_minute": \#(perMinute)}]"#]
    }

    @Test func missingAndWrongKeysAre401AndTheRightOnePasses() async throws {
        try await withService(Self.keys(perMinute: 600)) { service in
            let none = try await service.post("/v1/embeddings", json: ["input": "a cat"])
            expectProblem(none, status: 401, field: nil)
            #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            let wrong = try await service.post("/v1/embeddings", json: ["input": "a cat"], headers: ["Authorization": "Bearer not-the-key"])
            expectProblem(wrong, status: 401, field: nil)
            let wrongHeader = try await service.post("/v1/embeddings", json: ["input": "a cat"], headers: ["X-API-Key": Self.key + "x"])
            expectProblem(wrongHeader, status: 401, field: nil)
            let bearer = try await service.post("/v1/embeddings", json: ["input": "a cat"], headers: ["Authorization": "Bearer \(Self.key)"])
            #expect(bearer.status == 200)
            let header = try await service.request("GET", "/v1/images", headers: ["X-API-Key": Self.key])
            #expect(header.status == 200)
        }
    }

    @Test func healthMetricsOpenAPIAndPreflightsStayOpen() async throws {
        try await withService(Self.keys(perMinute: 600)) { service in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/openapi.yaml"] {
                let reply = try await service.request("GET", path)
                #expect(reply.status == 200, "\(path): \(reply.status)")
            }
            let preflight = try await service.request("OPTIONS", "/v1/embeddings", contentType: nil)
            #expect(preflight.status == 204)
        }
    }

    @Test func aKeyOverItsRateIs429WithRetryAfter() async throws {
        // Two a minute: a token every 30 s, far longer than the four requests below take.
        try await withService(Self.keys(perMinute: 2)) { service in
            let headers = ["Authorization": "Bearer \(Self.key)"]
            #expect(try await service.request("GET", "/v1/images", headers: headers).status == 200)
            #expect(try await service.request("GET", "/v1/images", headers: headers).status == 200)
            let limited = try await service.request("GET", "/v1/images", headers: headers)
            expectProblem(limited, status: 429, field: nil)
            let retryAfter = Int(limited.headers["retry-after"] ?? "")
            #expect(retryAfter != nil && retryAfter! >= 1 && retryAfter! <= 30, "Retry-After: \(limited.headers["retry-after"] ?? "none")")
            #expect(limited.text.contains("app"))
            // Without a key the answer stays 401, whatever the key's bucket holds.
            expectProblem(try await service.request("GET", "/v1/images"), status: 401, field: nil)
        }
    }

    @Test func keysNeverReachTheAccessLogOrTheAnswers() async throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let service = try await LiveService.start(Self.keys(perMinute: 600), accessLog: writeEnd)
        var bodies = ""
        do {
            for headers in [["Authorization": "Bearer \(Self.key)"], ["X-API-Key": Self.key], ["Authorization": "Bearer \(Self.key)-wrong"]] {
                let reply = try await service.post("/v1/embeddings?note=x", json: ["input": "a cat"], headers: headers)
                bodies += reply.text + reply.headers.values.joined()
            }
        } catch {
            await service.stop()
            throw error
        }
        await service.stop()  // flushes the access log
        close(writeEnd)
        let log = String(decoding: FileHandle(fileDescriptor: readEnd, closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("/v1/embeddings"), "the access log was not captured: \(log)")
        #expect(log.components(separatedBy: "\n").filter { $0.contains("/v1/embeddings") }.count == 3)
        #expect(!log.contains(Self.key))
        #expect(!bodies.contains(Self.key))
    }

    @Test func entriesAreValidatedAndNamed() {
        let digest = APIKeyEntry.hexDigest(ofKey: Self.key)
        let good = JSONValueFixture.entry(name: "app", sha256: digest, rate: 10)
        guard case .success(let entries) = APIKeyEntry.parseAll(.list([good])) else {
            Issue.record("a valid entry was refused")
            return
        }
        #expect(entries.map(\.name) == ["app"])
        #expect(entries.first?.requestsPerMinute == 10)
        let refused: [ConfigValue] = [
            .list([JSONValueFixture.entry(name: "", sha256: digest, rate: 10)]),
            .list([JSONValueFixture.entry(name: "app", sha256: "abc", rate: 10)]),
            .list([JSONValueFixture.entry(name: "app", sha256: digest, rate: 0)]),
            .list([good, JSONValueFixture.entry(name: "app", sha256: APIKeyEntry.hexDigest(ofKey: "other"), rate: 1)]),
            .list([good, JSONValueFixture.entry(name: "other", sha256: digest.uppercased(), rate: 1)]),
            .list([.object(["name": .string("app"), "sha256": .string(digest), "requests_per_minute": .integer(1), "key": .string("x")])]),
            .list([.string("app")]),
        ]
        for value in refused {
            guard case .failure = APIKeyEntry.parseAll(value) else {
                Issue.record("accepted \(value)")
                continue
            }
        }
    }

    @Test func theEnvironmentCarriesKeysAsJSONAndBadOnesStopTheStart() throws {
        let digest = APIKeyEntry.hexDigest(ofKey: Self.key)
        let configuration = try ConfigurationLoader(environment: [
            "ADAPTCLIP_AUTH_API_KEYS": #"[{"name": "app", "sha256": "\#(digest)", "requests_per_minute": 60}]"#,
            "ADAPTCLIP_CORS_ALLOWED_ORIGINS": #"["https://photos.example"]"#,
        ]).load()
        #expect(configuration.apiKeys.map(\.name) == ["app"])
        #expect(configuration.cors.allowedOrigins == ["https://photos.example"])
        #expect(!configuration.description.contains(digest))
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: ["ADAPTCLIP_AUTH_API_KEYS": "app:\(digest)"]).load()
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: ["ADAPTCLIP_AUTH_API_KEYS": #"[{"name": "app"}]"#]).load()
        }
    }

    @Test func theBucketRefillsEvenlyUpToAMinutesWorth() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(perMinute: 60, now: start)
        for _ in 0..<60 { #expect(bucket.take(now: start) == nil) }
        #expect(bucket.take(now: start) == 1)
        #expect(bucket.take(now: start + .milliseconds(1_000)) == nil)
        #expect(bucket.take(now: start + .milliseconds(1_000)) == 1)
        // A long pause refills to the capacity, no further.
        var later = 0
        while bucket.take(now: start + .seconds(3_600)) == nil { later += 1 }
        #expect(later == 60)
    }

    @Test func theKeyIsReadFromEitherHeader() {
        #expect(APIKeyGate.presentedKey(["Authorization": "Bearer abc"]) == "abc")
        #expect(APIKeyGate.presentedKey(["Authorization": "bearer  abc "]) == "abc")
        #expect(APIKeyGate.presentedKey(["X-API-Key": "abc", "Authorization": "Bearer admin"]) == "abc")
        #expect(APIKeyGate.presentedKey(["Authorization": "Basic abc"]) == nil)
        #expect(APIKeyGate.presentedKey(["Authorization": "Bearer "]) == nil)
        #expect(APIKeyGate.presentedKey([:]) == nil)
    }
}

import JSON

/// `auth.api_keys` items built from their members.
enum JSONValueFixture {
    static func entry(name: String, sha256: String, rate: Int) -> JSONValue {
        .object(["name": .string(name), "sha256": .string(sha256), "requests_per_minute": .integer(rate)])
    }
}
