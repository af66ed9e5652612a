import Digests
import Foundation
import TestSupport
import Testing
@testable import Service

/// docs/openapi.yaml must describe exactly the routes the server registers.
@Suite struct OpenAPIDocumentTests {
    static let document = RepositoryPaths.root.appendingPathComponent("docs/openapi.yaml")

    /// (METHOD, path) pairs under `paths:`: a path is a two-space-indented key starting with "/",
    /// an operation a four-space-indented HTTP method key below it.
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOf: document, encoding: .utf8)
        var operations: Set<String> = []
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch"].contains(String(key)) {
                    operations.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() throws {
        let registered = Set(ServiceRouter.routes.map { "\($0.method.rawValue) \($0.pattern)" })
        let documented = try Self.documentedOperations()
        #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered).sorted())")
    }
}

/// The document the server serves is the one in docs/: scripts/generate-openapi-swift compiles
/// it into Sources/Service/Routes/OpenAPIText.swift, and these fail until it is re-run.
@Suite struct ServedOpenAPIDocumentTests {
    @Test func theCompiledYAMLIsTheFileByteForByte() throws {
        let file = try Data(contentsOf: OpenAPIDocumentTests.document)
        #expect(Data(OpenAPIText.yaml.utf8) == file, "docs/openapi.yaml changed: run scripts/generate-openapi-swift")
        #expect(OpenAPIText.sourceSHA256 == SHA256.hex(file))
    }

    @Test func theCompiledJSONDescribesTheSameOperations() throws {
        let json = try JSONSerialization.jsonObject(with: Data(OpenAPIText.json.utf8)) as? [String: Any] ?? [:]
        let paths = json["paths"] as? [String: [String: Any]] ?? [:]
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(operations == (try OpenAPIDocumentTests.documentedOperations()))
        #expect(json["openapi"] as? String == "3.1.0")
    }
}
