import Foundation
import Testing
@testable import Service

@Suite(.serialized) struct HealthRouteTests {
    @Test func healthAndReadinessAnswerAndReadinessNamesTheTestModel() async throws {
        try await withService { service in
            let health = try await service.request("GET", "/healthz")
            #expect(health.status == 200)
            let ready = try await service.request("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["model"] as? String == service.running.context.engine.modelName)
            #expect(ready.json["dimension"] as? Int == 32)
            // Configured explicitly by path, so it is not the embedded test model.
            #expect(ready.json["test_model"] as? Bool == false)
        }
    }

    @Test func metricsCountRequestsByRoutePattern() async throws {
        try await withService { service in
            _ = try await service.request("GET", "/healthz")
            _ = try await service.post("/v1/embeddings", json: ["input": "a cat"])
            _ = try await service.post("/v1/embeddings", json: ["input": 3])
            let metrics = try await service.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"adaptclip_http_requests_total{route="/v1/embeddings",method="POST",status="200"} 1"#))
            #expect(metrics.text.contains(#"adaptclip_http_requests_total{route="/v1/embeddings",method="POST",status="400"} 1"#))
            #expect(metrics.text.contains("adaptclip_batch_size_count"))
        }
    }

    @Test func unknownPathsAndMethodsGetProblems() async throws {
        try await withService { service in
            let missing = try await service.request("GET", "/v2/nothing")
            #expect(missing.status == 404)
            let wrongMethod = try await service.request("DELETE", "/v1/classify")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"]?.contains("POST") == true)
        }
    }
}
