import Testing
@testable import Service

@Suite struct ServiceMetricsTests {
    private func text(_ metrics: ServiceMetrics) -> String { String(decoding: metrics.exposition(), as: UTF8.self) }

    @Test func requestsAreCountedByRouteMethodAndStatus() {
        let metrics = ServiceMetrics()
        metrics.recordRequest(route: "/v1/search", method: "POST", status: 200, duration: .milliseconds(12))
        metrics.recordRequest(route: "/v1/search", method: "POST", status: 200, duration: .milliseconds(30))
        metrics.recordRequest(route: "/v1/search", method: "POST", status: 400, duration: .milliseconds(1))
        let out = text(metrics)
        #expect(out.contains(#"adaptclip_http_requests_total{route="/v1/search",method="POST",status="200"} 2"#))
        #expect(out.contains(#"adaptclip_http_requests_total{route="/v1/search",method="POST",status="400"} 1"#))
        #expect(out.contains(#"adaptclip_http_request_duration_seconds_count{route="/v1/search"} 3"#))
    }

    @Test func gaugesAndBatchHistogramsAreExposed() {
        let metrics = ServiceMetrics()
        metrics.recordBatch(size: 8, duration: .milliseconds(40))
        metrics.setQueueDepth(3)
        metrics.setIndexVectors(120)
        metrics.recordAdapterSwap(slot: "language:zh")
        let out = text(metrics)
        #expect(out.contains("adaptclip_batch_size_count 1"))
        #expect(out.contains("adaptclip_queue_depth 3"))
        #expect(out.contains("adaptclip_index_vectors 120"))
        #expect(out.contains(#"adaptclip_adapter_swaps_total{slot="language:zh"} 1"#))
        #expect(out.contains("# TYPE adaptclip_model_seconds histogram"))
    }
}
