import Foundation
import TestSupport
import Testing
@testable import Service

@Suite struct ConfigurationTests {
    static let repoRoot = RepositoryPaths.root

    /// `text` as config.json in a directory of its own; the caller removes the directory.
    private func temporaryFile(_ text: String) throws -> URL {
        let url = try TemporaryDirectory.make().appendingPathComponent("config.json")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func defaultsApplyWithNothingGiven() throws {
        let config = try ConfigurationLoader().load()
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 8080)
        #expect(config.models.clip == nil)
        #expect(config.batching.maxBatchSize == 32)
        #expect(config.adminToken == nil)
    }

    @Test func shippedConfigFileEqualsTheBuiltInDefaults() throws {
        let file = Self.repoRoot.appendingPathComponent("config/adaptclip.json")
        let fromFile = try ConfigurationLoader(fileURL: file).load().values
        let defaults = try ConfigurationLoader().load().values
        #expect(fromFile == defaults)
        let fileKeys = Set(try ConfigurationLoader.readFile(file).map(\.0))
        #expect(fileKeys == Set(ConfigRegistry.keys.map(\.path)), "config/adaptclip.json must list every knob")
    }

    @Test func everyKnobIsDocumentedInTheConfigReadme() throws {
        let readme = try String(contentsOf: Self.repoRoot.appendingPathComponent("config/README.md"), encoding: .utf8)
        for key in ConfigRegistry.keys {
            #expect(readme.contains("| `\(key.path)` |"), "config/README.md lacks \(key.path)")
        }
    }

    @Test func precedenceIsDefaultsThenFileThenEnvironmentThenFlags() throws {
        let file = try temporaryFile(#"{"server": {"port": 9000, "host": "0.0.0.0"}, "batching": {"max_wait_ms": 7}}"#)
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        let config = try ConfigurationLoader(
            fileURL: file,
            environment: ["ADAPTCLIP_SERVER_PORT": "9100", "ADAPTCLIP_BATCHING_MAX_WAIT_MS": "9"],
            overrides: ["server.port": "9200"]
        ).load()
        #expect(config.server.port == 9200)  // flag beats environment and file
        #expect(config.batching.maxWaitMilliseconds == 9)  // environment beats file
        #expect(config.server.host == "0.0.0.0")  // file beats default
    }

    @Test func configFileNamedByEnvironmentIsRead() throws {
        let file = try temporaryFile(#"{"data_dir": "/srv/adaptclip"}"#)
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        let config = try ConfigurationLoader(environment: ["ADAPTCLIP_CONFIG": file.path]).load()
        #expect(config.dataDirectory == "/srv/adaptclip")
    }

    @Test func unknownFileKeyIsAnErrorNamingTheKey() throws {
        let file = try temporaryFile(#"{"server": {"prot": 80}}"#)
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        #expect(throws: ConfigurationError.unknownKey(key: "server.prot", source: file.path)) {
            try ConfigurationLoader(fileURL: file).load()
        }
    }

    @Test func wrongTypeInFileIsAnErrorNamingTheKey() throws {
        let file = try temporaryFile(#"{"limits": {"max_body_bytes": "big"}}"#)
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        do {
            _ = try ConfigurationLoader(fileURL: file).load()
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            guard case .invalidValue(let key, _, _) = error else { Issue.record("\(error)"); return }
            #expect(key == "limits.max_body_bytes")
        }
    }

    @Test func outOfRangeValuesAreRefused() {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(overrides: ["server.port": "70000"]).load()
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: ["ADAPTCLIP_LIMITS_HEADER_TIMEOUT_SECONDS": "-1"]).load()
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(overrides: ["logging.level": "loud"]).load()
        }
    }

    @Test func unknownEnvironmentVariableWithOurPrefixIsAnError() {
        #expect(throws: ConfigurationError.unknownKey(key: "ADAPTCLIP_SERVER_PROT", source: "the environment")) {
            try ConfigurationLoader(environment: ["ADAPTCLIP_SERVER_PROT": "1"]).load()
        }
    }

    @Test func integerIsAcceptedWhereSecondsAreExpected() throws {
        let file = try temporaryFile(#"{"limits": {"idle_timeout_seconds": 5}}"#)
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        #expect(try ConfigurationLoader(fileURL: file).load().limits.idleTimeoutSeconds == 5)
    }

    @Test func adminTokenComesFromTheEnvironmentAndIsNeverPrinted() throws {
        let config = try ConfigurationLoader(environment: ["ADAPTCLIP_ADMIN_TOKEN": "s3cret-token"]).load()
        #expect(config.adminToken == "s3cret-token")
        #expect(!config.description.contains("s3cret-token"))
        #expect(config.description.contains("admin_token = (set)"))
    }

    @Test func malformedJSONIsAnUnreadableFileError() throws {
        let file = try temporaryFile("{ not json")
        defer { TemporaryDirectory.remove(file.deletingLastPathComponent()) }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(fileURL: file).load() }
    }
}
