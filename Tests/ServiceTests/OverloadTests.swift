import Foundation
import Testing
@testable import Service

@Suite(.serialized) struct OverloadTests {
    /// With one batch slot and queues of one (decoding on the request-work pool, then the model
    /// batcher), a burst of image requests overflows: the excess gets 503 with Retry-After,
    /// nothing else fails, and every answer is one of the two.
    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        try await withService([
            "batching.queue_depth": "1", "batching.max_batch_size": "1", "batching.max_wait_ms": "0",
            "engine.request_work_threads": "1", "engine.request_work_queue_depth": "1",
        ]) { service in
            let body = try JSONSerialization.data(withJSONObject: [
                "input": [try LiveService.dataURI("jpeg_q95_640x480.jpg")], "modality": "image",
            ])
            let replies = try await withThrowingTaskGroup(of: LiveService.Reply.self) { group in
                for _ in 0..<16 { group.addTask { try await service.request("POST", "/v1/embeddings", body: body) } }
                var all: [LiveService.Reply] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            let statuses = replies.map(\.status)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
            #expect(statuses.contains(200))
            let overloaded = replies.filter { $0.status == 503 }
            #expect(!overloaded.isEmpty, "16 concurrent requests should overflow a queue of 1")
            #expect(overloaded.allSatisfy { $0.headers["retry-after"] == "1" && $0.json["type"] as? String == "https://adaptclip.dev/problems/overloaded" })
        }
    }

    @Test func aRequestPastItsDeadlineAnswers504() async throws {
        try await withService(["limits.request_timeout_seconds": "0.001", "batching.max_wait_ms": "50"]) { service in
            let reply = try await service.post("/v1/embeddings", json: ["input": "a photo of a cat"])
            #expect(reply.status == 504, "\(reply.text)")
            #expect(reply.json["type"] as? String == "https://adaptclip.dev/problems/deadline-exceeded")
        }
    }
}
