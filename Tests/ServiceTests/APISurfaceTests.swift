import Foundation
import TestSupport
import Testing
@testable import Service

/// What clients built for OpenAI's API expect, over real sockets: large embedding calls, gzip,
/// the OpenAPI document, and every answer counted in the metrics.
@Suite struct APISurfaceTests {
    @Test func twoThousandFortyEightTextsInOneCallGoThroughTheBatcherInWaves() async throws {
        // A queue of 32 places: were the 2,048 texts submitted at once, all but 32 would be
        // refused with 503.
        try await withService(["batching.queue_depth": "32", "batching.max_batch_size": "32"]) { service in
            let texts = (0..<2048).map { "photo number \($0) of a red circle" }
            let reply = try await service.post("/v1/embeddings", json: ["input": texts])
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let data = reply.json["data"] as? [[String: Any]] ?? []
            #expect(data.count == 2048)
            #expect(data.map { $0["index"] as? Int ?? -1 } == Array(0..<2048))
            let single = try await service.post("/v1/embeddings", json: ["input": texts[1234]])
            let one = (single.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double] ?? []
            let many = data[1234]["embedding"] as? [Double] ?? []
            #expect(!one.isEmpty && one.count == many.count)
            #expect(zip(one, many).allSatisfy { abs($0 - $1) < 1e-5 })
            let tooMany = try await service.post("/v1/embeddings", json: ["input": texts + ["one more"]])
            expectProblem(tooMany, status: 413, field: "input")
        }
    }

    @Test func tokenArraysAreRefusedSayingWhy() async throws {
        try await withService { service in
            for input: Any in [[1, 2, 3], [[1, 2, 3]], [[Int]()]] {
                let reply = try await service.post("/v1/embeddings", json: ["input": input])
                expectProblem(reply, status: 400, field: "input")
                #expect(reply.text.contains("token-id inputs"), "\(reply.text)")
            }
        }
    }

    @Test func largeJSONIsGzippedWhenAcceptedAndTheSameOtherwise() async throws {
        try await withService { service in
            let body = ["input": ["a cat", "a dog", "两个红色的圆形"], "lang": "en"] as [String: Any]
            let plain = try await service.post("/v1/embeddings", json: body, headers: ["Accept-Encoding": "identity"])
            #expect(plain.status == 200)
            #expect(plain.headers["content-encoding"] == nil)
            #expect(plain.body.count >= ResponseCompression.minimumBytes)
            #expect(plain.headers["vary"]?.contains("Accept-Encoding") == true)
            // URLSession inflates what it receives, so the body is compared after a real gzip
            // decoder (libcurl's zlib) read it.
            let gzipped = try await service.post("/v1/embeddings", json: body, headers: ["Accept-Encoding": "gzip"])
            #expect(gzipped.status == 200)
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.body == plain.body)
            // Small answers go out as they are.
            let small = try await service.request("GET", "/healthz", headers: ["Accept-Encoding": "gzip"])
            #expect(small.headers["content-encoding"] == nil)
        }
    }

    @Test func gzipOutputIsAGzipMemberOfTheInput() throws {
        let input = Array(String(repeating: "{\"embedding\":[0.125,-0.5,0.25]}", count: 200).utf8)
        let compressed = try #require(ResponseCompression.gzip(input))
        #expect(compressed.prefix(3) == [0x1F, 0x8B, 0x08])
        #expect(compressed.count < input.count / 4)
        // The trailer holds the input's length (mod 2^32), little-endian.
        let size = compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(size == input.count)
    }

    @Test func acceptEncodingIsReadWithItsQValues() {
        #expect(ResponseCompression.acceptsGzip(["gzip, deflate, br"]))
        #expect(ResponseCompression.acceptsGzip(["br;q=1.0", "GZIP;q=0.5"]))
        #expect(ResponseCompression.acceptsGzip(["*"]))
        #expect(!ResponseCompression.acceptsGzip(["gzip;q=0"]))
        #expect(!ResponseCompression.acceptsGzip(["identity", "br"]))
        #expect(!ResponseCompression.acceptsGzip([]))
    }

    @Test func unroutedAnswersAreCountedUnderAFixedLabelAndBuildInfoIsExported() async throws {
        try await withService { service in
            #expect(try await service.request("GET", "/no/such/path").status == 404)
            #expect(try await service.request("GET", "/another/\(UUID().uuidString)").status == 404)
            #expect(try await service.request("DELETE", "/healthz").status == 405)
            #expect(try await service.request("GET", "/healthz").status == 200)
            let metrics = try await service.request("GET", "/metrics").text
            #expect(metrics.contains(#"adaptclip_http_requests_total{route="unmatched",method="GET",status="404"} 2"#), "\(metrics)")
            #expect(metrics.contains(#"adaptclip_http_requests_total{route="unmatched",method="DELETE",status="405"} 1"#))
            #expect(metrics.contains(#"adaptclip_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
            #expect(!metrics.contains("/no/such/path"))
            let info = metrics.split(separator: "\n").first { $0.hasPrefix("adaptclip_build_info{") }
            #expect(info?.contains(#"version="\#(ServiceInfo.version)""#) == true, "\(info ?? "no adaptclip_build_info")")
            #expect(info?.contains("swift_version=") == true)
            #expect(info?.contains("cpu=") == true)
            #expect(info.flatMap { Double($0.split(separator: " ").last ?? "") } == 1)
        }
    }

    @Test func theOpenAPIDocumentIsServedAsYAMLAndJSON() async throws {
        try await withService { service in
            let yaml = try await service.request("GET", "/openapi.yaml")
            #expect(yaml.status == 200)
            #expect(yaml.body == (try Data(contentsOf: OpenAPIDocumentTests.document)))
            let json = try await service.request("GET", "/openapi.json", headers: ["Accept-Encoding": "gzip"])
            #expect(json.status == 200)
            #expect(json.headers["content-type"] == "application/json")
            #expect(json.json["openapi"] as? String == "3.1.0")
            let paths = json.json["paths"] as? [String: Any] ?? [:]
            #expect(paths["/openapi.json"] != nil && paths["/v1/embeddings"] != nil)
        }
    }
}
