import Foundation
import Testing
@testable import Service

/// The page is served from the binary over a real socket: types, a self-only policy, and
/// validators that let a browser revalidate with 304.
@Suite(.serialized) struct SearchPageTests {
    static let files: [(path: String, type: String, marker: String)] = [
        ("/", "text/html; charset=utf-8", "<link rel=\"stylesheet\" href=\"/assets/app.css\">"),
        ("/assets/app.css", "text/css; charset=utf-8", ".grid {"),
        ("/assets/app.js", "text/javascript; charset=utf-8", "\"/v1/search\""),
        ("/assets/icon.svg", "image/svg+xml", "<svg"),
    ]

    @Test func thePageAndItsAssetsAreServedWithTypesAndAStrictPolicy() async throws {
        try await withService(["gallery.seed": "false"]) { service in
            for file in Self.files {
                let reply = try await service.request("GET", file.path, contentType: nil)
                #expect(reply.status == 200, "\(file.path): \(reply.status)")
                #expect(reply.headers["content-type"] == file.type, "\(file.path)")
                #expect(reply.text.contains(file.marker), "\(file.path)")
                let policy = try #require(reply.headers["content-security-policy"], "\(file.path)")
                #expect(policy.contains("default-src 'none'"))
                #expect(policy.contains("script-src 'self'"))
                #expect(policy.contains("connect-src 'self'"))
                #expect(!policy.contains("unsafe-inline") && !policy.contains("http"), "\(policy)")
                #expect(reply.headers["x-content-type-options"] == "nosniff")
                #expect(reply.headers["cache-control"] == "no-cache")
                let etag = try #require(reply.headers["etag"], "\(file.path)")

                let again = try await service.request("GET", file.path, contentType: nil, headers: ["If-None-Match": etag])
                #expect(again.status == 304, "\(file.path)")
                #expect(again.body.isEmpty)
                let changed = try await service.request("GET", file.path, contentType: nil, headers: ["If-None-Match": "\"other\""])
                #expect(changed.status == 200)
            }
        }
    }

    /// Nothing the page needs comes from elsewhere, and no code or style is inline (the policy
    /// would block it in a browser).
    @Test func thePageReferencesOnlyItsOwnOrigin() {
        let html = PageHTML.text
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"))
        #expect(!html.contains("<style") && !html.contains("style=\""))
        #expect(html.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil, "no inline event handlers")
        #expect(html.components(separatedBy: "<script").count == 2, "one script element, the asset")
        for text in [PageCSS.text, PageJS.text] {
            #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("@import"))
        }
        #expect(!PageJS.text.contains("innerHTML") && !PageJS.text.contains("eval("))
    }

    @Test func unknownAssetsAreNotFound() async throws {
        try await withService(["gallery.seed": "false"]) { service in
            let reply = try await service.request("GET", "/assets/other.js", contentType: nil)
            #expect(reply.status == 404)
        }
    }
}
