import Foundation
import Testing
@testable import Service

/// `POST /v1/search` with hostile `filter` objects: every refusal is a 400 naming `filter` or
/// `filter.<key>`, never a 500, and no answer grows with the hostile part.
@Suite(.serialized) struct SearchFilterTests {
    static func search(_ service: LiveService, filter: [String: Any]) async throws -> LiveService.Reply {
        try await service.post("/v1/search", json: ["query": "a red square", "k": 3, "filter": filter])
    }

    @Test func keysThatCannotBeMatchedAreRefusedWithoutBeingQuoted() async throws {
        try await withService { service in
            let hugeKey = String(repeating: "K", count: 1 << 20)
            for key in ["a\u{0}b", "say \"hi\"", "back\\slash", "line\nbreak", "", hugeKey] {
                let reply = try await Self.search(service, filter: [key: "x"])
                expectProblem(reply, status: 400, field: "filter")
                #expect(reply.body.count < 1024, "\(reply.body.count) bytes")
                if key.count > 3 { #expect(!reply.text.contains(key.prefix(4))) }
            }
        }
    }

    @Test func moreKeysThanTheLimitAreRefusedByCount() async throws {
        try await withService { service in
            var filter: [String: Any] = [:]
            for i in 0..<200 { filter["key\(i)"] = i }
            let reply = try await Self.search(service, filter: filter)
            expectProblem(reply, status: 400, field: "filter")
            #expect((reply.json["detail"] as? String)?.contains("has 200 keys; the limit is 16") == true, "\(reply.text)")
        }
        try await withService(["limits.max_filter_keys": "2"]) { service in
            expectProblem(try await Self.search(service, filter: ["a": 1, "b": 2, "c": 3]), status: 400, field: "filter")
            #expect(try await Self.search(service, filter: ["a": 1, "b": 2]).status == 200)
        }
    }

    @Test func valuesMustBeShortScalars() async throws {
        try await withService(["limits.max_filter_value_bytes": "100"]) { service in
            let long = try await Self.search(service, filter: ["album": String(repeating: "v", count: 101)])
            expectProblem(long, status: 400, field: "filter.album")
            #expect((long.json["detail"] as? String)?.contains("101 bytes long; the limit is 100") == true, "\(long.text)")
            expectProblem(try await Self.search(service, filter: ["album": ["a"]]), status: 400, field: "filter.album")
            expectProblem(try await Self.search(service, filter: ["album": ["a": 1]]), status: 400, field: "filter.album")
            #expect(try await Self.search(service, filter: ["album": String(repeating: "v", count: 100)]).status == 200)
        }
    }

    @Test func keysWithPathSyntaxMatchExactlyThoseKeys() async throws {
        try await withService { service in
            let image = try LiveService.dataURI("png_rgb_256x192.png")
            let stored = try await service.post("/v1/images", json: ["image": image, "metadata": ["a.b": "x", "it's": "y"]])
            #expect(stored.status == 201, "\(stored.text)")
            for (filter, count) in [(["a.b": "x"], 1), (["it's": "y"], 1), (["a": "x"], 0), (["a.b": "y"], 0)] {
                let reply = try await Self.search(service, filter: filter)
                #expect(reply.status == 200, "\(reply.text)")
                #expect((reply.json["hits"] as? [[String: Any]])?.count == count, "\(filter): \(reply.text)")
            }
        }
    }

    @Test func logTextIsCutToItsLimitOnAScalarBoundary() {
        #expect(LogText.bounded("short") == "short")
        let exact = String(repeating: "a", count: LogText.maxBytes)
        #expect(LogText.bounded(exact) == exact)
        let long = String(repeating: "é", count: 10_000)
        let cut = LogText.bounded(long)
        #expect(cut == String(repeating: "é", count: LogText.maxBytes / 2) + "… (20000 bytes)")
        let odd = "a" + String(repeating: "雨", count: 1000)
        // 1 + 3 × 341 = 1024 bytes fit; the 342nd 雨 would not.
        #expect(LogText.bounded(odd) == "a" + String(repeating: "雨", count: 341) + "… (3001 bytes)")
    }
}
