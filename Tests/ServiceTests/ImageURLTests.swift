import Foundation
import HTTPServer
import Logging
import Testing
@testable import Service

@Suite(.serialized) struct ImageURLTests {
    @Test func imageURLIsOffByDefault() async throws {
        try await withImageHosts { hosts in
            try await withService { service in
                let reply = try await service.post("/v1/classify", json: ["image_url": "\(hosts.base)/img.png", "labels": ["a"]])
                expectProblem(reply, status: 400, field: "image_url")
                #expect((reply.json["detail"] as? String)?.contains("disabled") == true)
            }
        }
    }

    @Test func anAllowListedHostIsFetchedAndGivesTheSameAnswerAsInlineBytes() async throws {
        try await withImageHosts { hosts in
            try await withService(["image_url.allowed_hosts": "127.0.0.1"]) { service in
                let byURL = try await service.post("/v1/embeddings", json: [
                    "input": ["\(hosts.base)/img.png"], "modality": "image",
                ])
                let inline = try await service.post("/v1/embeddings", json: [
                    "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
                ])
                #expect(byURL.status == 200, "\(byURL.text)")
                let a = (byURL.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]
                let b = (inline.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]
                #expect(a != nil && a == b)
                let redirected = try await service.post("/v1/classify", json: [
                    "image_url": "\(hosts.base)/relative-redirect", "labels": ["a", "b"],
                ])
                #expect(redirected.status == 200, "\(redirected.text)")
            }
        }
    }

    @Test func everyRuleIsEnforcedAndNamesTheField() async throws {
        try await withImageHosts { hosts in
            try await withService(["image_url.allowed_hosts": "127.0.0.1, localhost", "image_url.max_bytes": "50000"]) { service in
                // Not on the list.
                let other = try await service.post("/v1/search", json: ["image_url": "http://example.invalid/x.png"])
                expectProblem(other, status: 400, field: "image_url")
                // Redirect to another host (localhost ≠ 127.0.0.1) is refused.
                let hop = try await service.post("/v1/classify", json: [
                    "image_url": "\(hosts.base)/other-host-redirect", "labels": ["a"],
                ])
                expectProblem(hop, status: 422, field: "image_url")
                #expect((hop.json["detail"] as? String)?.contains("redirect") == true, "\(hop.text)")
                // Larger than image_url.max_bytes (the PNG is ~ 100 kB).
                let big = try await service.post("/v1/classify", json: ["image_url": "\(hosts.base)/img.png", "labels": ["a"]])
                expectProblem(big, status: 413, field: "image_url")
                // The host answers 404.
                let missing = try await service.post("/v1/classify", json: ["image_url": "\(hosts.base)/missing", "labels": ["a"]])
                expectProblem(missing, status: 422, field: "image_url")
                // Not http(s).
                let ftp = try await service.post("/v1/classify", json: ["image_url": "ftp://127.0.0.1/x", "labels": ["a"]])
                expectProblem(ftp, status: 400, field: "image_url")
            }
        }
    }

    @Test func aListedNameThatResolvesToLoopbackIsRefusedUnlessTheAddressIsListed() async throws {
        try await withImageHosts { hosts in
            try await withService(["image_url.allowed_hosts": "localhost"]) { service in
                let reply = try await service.post("/v1/classify", json: ["image_url": "http://localhost:\(hosts.mainPort)/img.png", "labels": ["a"]])
                expectProblem(reply, status: 400, field: "image_url")
                #expect((reply.json["detail"] as? String)?.contains("internal address") == true, "\(reply.text)")
            }
        }
    }

    /// Fetched bytes the decoders refuse, an error page, a redirect elsewhere: the problem
    /// names the field and the rule, never what the host sent.
    @Test func noRefusalQuotesWhatTheImageHostSent() async throws {
        try await withImageHosts { hosts in
            try await withService(["image_url.allowed_hosts": "127.0.0.1"]) { service in
                let notAnImage = try await service.post("/v1/classify", json: ["image_url": "\(hosts.base)/secret-text", "labels": ["a"]])
                expectProblem(notAnImage, status: 415, field: nil)
                let errorPage = try await service.post("/v1/classify", json: ["image_url": "\(hosts.base)/secret-404", "labels": ["a"]])
                expectProblem(errorPage, status: 422, field: "image_url")
                let elsewhere = try await service.post("/v1/search", json: ["image_url": "\(hosts.base)/secret-redirect"])
                expectProblem(elsewhere, status: 422, field: "image_url")
                let metrics = try await service.post("/v1/search", json: ["image_url": "\(hosts.base)/other-port-redirect"])
                expectProblem(metrics, status: 422, field: "image_url")
                for reply in [notAnImage, errorPage, elsewhere, metrics] {
                    #expect(!reply.text.contains(ImageHostServers.secret), "\(reply.text)")
                    #expect(!reply.text.contains("adaptclip_requests_total"), "\(reply.text)")
                }
                #expect(hosts.otherHits == 0)
            }
        }
    }
}
