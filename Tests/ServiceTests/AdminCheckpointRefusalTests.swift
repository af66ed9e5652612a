import Foundation
import TestSupport
import Testing
@testable import Service

/// `POST /admin/adapters` with hostile checkpoint directories: every refusal is a 422 naming
/// `path` whose detail names the file, the field and the rule — never what the files hold.
@Suite(.serialized) struct AdminCheckpointRefusalTests {
    static let token = "test-admin-token"
    static let auth = ["Authorization": "Bearer \(token)"]
    static let secret = "SECRET-" + String(repeating: "s", count: 1_000_000)

    static func withAdmin(_ body: (LiveService) async throws -> Void) async throws {
        try await withService(AdminRouteTests.chinese, environment: ["ADAPTCLIP_ADMIN_TOKEN": token], body)
    }

    /// A copy of the v2 language adapter fixture, in a directory of its own.
    static func copyOfAdapter() throws -> URL {
        let directory = try TemporaryDirectory.make()
        let copy = directory.appendingPathComponent("adapter")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: AdminRouteTests.v2), to: copy)
        return copy
    }

    static func load(_ service: LiveService, _ directory: URL) async throws -> LiveService.Reply {
        try await service.post("/admin/adapters", json: ["path": directory.path], headers: auth)
    }

    static func expectRefusalWithoutSecret(_ reply: LiveService.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        expectProblem(reply, status: 422, field: "path", sourceLocation: sourceLocation)
        #expect(!reply.text.contains("SECRET"), "\(reply.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(reply.body.count < 2048, "\(reply.body.count) bytes", sourceLocation: sourceLocation)
    }

    @Test func aHostileValueInTheManifestIsNotQuoted() async throws {
        try await Self.withAdmin { service in
            for (key, detail) in [
                ("language", "adapter.json: language: must match the language this adapter slot serves (\"zh\")"),
                ("kind", "adapter.json: kind: must be \"language\" for this loader"),
            ] {
                let directory = try Self.copyOfAdapter()
                let url = directory.appendingPathComponent("adapter.json")
                var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
                manifest[key] = Self.secret
                try JSONSerialization.data(withJSONObject: manifest).write(to: url)
                let reply = try await Self.load(service, directory)
                Self.expectRefusalWithoutSecret(reply)
                #expect(reply.json["detail"] as? String == detail, "\(reply.text.prefix(300))")
            }
        }
    }

    @Test func aHostileKeyInTheManifestIsNotQuoted() async throws {
        try await Self.withAdmin { service in
            let directory = try Self.copyOfAdapter()
            let url = directory.appendingPathComponent("adapter.json")
            var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            manifest[Self.secret] = 1
            try JSONSerialization.data(withJSONObject: manifest).write(to: url)
            let reply = try await Self.load(service, directory)
            Self.expectRefusalWithoutSecret(reply)
            #expect((reply.json["detail"] as? String)?.hasPrefix("adapter.json: (top level): holds a field that is not part of the format") == true)
        }
    }

    /// The link's target is a file the client could not read otherwise; it is never opened.
    @Test func aSymlinkedManifestIsRefused() async throws {
        try await Self.withAdmin { service in
            let directory = try Self.copyOfAdapter()
            let target = directory.deletingLastPathComponent().appendingPathComponent("private.json")
            try Data(#"{"format_version": 1, "kind": "prompt", "name": "\#(Self.secret.prefix(100))"}"#.utf8).write(to: target)
            let url = directory.appendingPathComponent("adapter.json")
            try FileManager.default.removeItem(at: url)
            try FileManager.default.createSymbolicLink(at: url, withDestinationURL: target)
            let reply = try await Self.load(service, directory)
            Self.expectRefusalWithoutSecret(reply)
            #expect(reply.json["detail"] as? String
                == "adapter.json: file: is a symbolic link; a checkpoint's files must be regular files", "\(reply.text)")
        }
    }

    @Test func anOversizedManifestIsRefusedFromItsSize() async throws {
        try await Self.withAdmin { service in
            let directory = try Self.copyOfAdapter()
            let handle = try FileHandle(forWritingTo: directory.appendingPathComponent("adapter.json"))
            try handle.truncate(atOffset: 8 << 30)
            try handle.close()
            let reply = try await Self.load(service, directory)
            Self.expectRefusalWithoutSecret(reply)
            #expect((reply.json["detail"] as? String)?.hasPrefix("adapter.json: file: is \(8 << 30) bytes; the limit is") == true, "\(reply.text)")
        }
    }
}
