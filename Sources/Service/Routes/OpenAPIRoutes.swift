import HTTPServer

/// `GET /openapi.json` and `/openapi.yaml`: the document the tests check, compiled into the
/// binary (OpenAPIText, generated from docs/openapi.yaml), so what a client reads is what the
/// server was built against. Both are fixed bytes, answered at once.
enum OpenAPIRoutes {
    private static let json = Array(OpenAPIText.json.utf8)
    private static let yaml = Array(OpenAPIText.yaml.utf8)

    static func json(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(headers: ["Content-Type": "application/json"], body: json)
    }

    static func yaml(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(headers: ["Content-Type": "application/yaml; charset=utf-8"], body: yaml)
    }
}
