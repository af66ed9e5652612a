import Digests
import HTTPServer

/// `GET /`, `/assets/app.css`, `/assets/app.js` and `/assets/icon.svg`: the search page, compiled
/// into the binary (PageHTML, PageCSS, PageJS, PageIcon) so the service needs no files beside it and fetches nothing from
/// elsewhere. The page talks to the public API only, from its own origin.
enum SearchPageRoutes {
    /// One file of the page, with the validator that lets a browser revalidate it cheaply.
    struct Asset: Sendable {
        let body: [UInt8]
        let contentType: String
        let etag: String

        init(_ text: String, contentType: String) {
            body = Array(text.utf8)
            self.contentType = contentType
            etag = "\"\(SHA256.hexDigest(of: body).prefix(32))\""
        }
    }

    static let html = Asset(PageHTML.text, contentType: "text/html; charset=utf-8")
    static let css = Asset(PageCSS.text, contentType: "text/css; charset=utf-8")
    static let javascript = Asset(PageJS.text, contentType: "text/javascript; charset=utf-8")
    static let icon = Asset(PageIcon.text, contentType: "image/svg+xml")

    /// Only this origin's script, styles and API; images also from `blob:` (the preview of a
    /// file picked or dropped, which never leaves the browser until it is sent). No inline code,
    /// no frames, no forms posting elsewhere.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:", "connect-src 'self'",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Revalidated on every use (ETag → 304): a new binary serves its new page at once.
    static let cacheControl = "no-cache"

    static func page(_ request: HTTPRequest) -> HTTPResponse { serve(html, request) }
    static func stylesheet(_ request: HTTPRequest) -> HTTPResponse { serve(css, request) }
    static func script(_ request: HTTPRequest) -> HTTPResponse { serve(javascript, request) }
    static func favicon(_ request: HTTPRequest) -> HTTPResponse { serve(icon, request) }

    private static func serve(_ asset: Asset, _ request: HTTPRequest) -> HTTPResponse {
        CachedResponse.answer(request, body: asset.body, etag: asset.etag, cacheControl: cacheControl, headers: [
            "Content-Type": asset.contentType, "Content-Security-Policy": contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
        ])
    }
}
