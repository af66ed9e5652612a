import Engine
import Foundation
import Logging
import Models
import Retrieval
import TestSupport
import Testing
@testable import Service

/// The one adapter lifecycle, without HTTP: every kind loads, activates, deactivates, is
/// deleted and restored at start through the same code, over the real fixture checkpoints and
/// a real adapters table. The admin routes' answers are AdminRouteTests, DomainAdapterAdminTests
/// and PromptRouteTests.
@Suite(.serialized) struct AdapterLifecycleTests {
    static let fixtures = LiveService.fixtures
    static let zhV1 = fixtures.appendingPathComponent("engine/zh-adapter-v1")
    static let zhV2 = fixtures.appendingPathComponent("engine/zh-adapter-v2")
    static let domainBoth = fixtures.appendingPathComponent("engine/domain-both-v1")
    static let domainText = fixtures.appendingPathComponent("engine/domain-text-v1")
    static let coop = fixtures.appendingPathComponent("prompts/tiny-clip/coop")

    /// The tiny CLIP with the Chinese encoder and, as `serve` starts it, zh v1 activated from
    /// the configuration; the lifecycle records into the adapters table in `data`.
    static func lifecycle(data: URL) throws -> AdapterLifecycle {
        let configuration = try ConfigurationLoader(environment: [:], overrides: [
            "models.clip": fixtures.appendingPathComponent("engine/tiny-clip").path,
            "models.zh_encoder": fixtures.appendingPathComponent("bert/bert-tiny-a").path,
            "models.zh_adapter": zhV1.path, "data_dir": data.path,
        ]).load()
        let loaded = try EngineFactory.make(configuration: configuration)
        var logger = Logger(label: "adapter-lifecycle-test")
        logger.logLevel = .critical
        let lifecycle = AdapterLifecycle(
            engine: loaded.engine, catalog: try AdapterCatalog(directory: data), logger: logger, metrics: ServiceMetrics())
        lifecycle.adoptServing(.language, path: zhV1.path)
        return lifecycle
    }

    static func withDataDirectory(_ body: (URL) async throws -> Void) async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        try await body(data)
    }

    /// What serves now, per kind, as the engine says.
    static func serving(_ lifecycle: AdapterLifecycle) -> [AdapterKind: [String]] {
        Dictionary(uniqueKeysWithValues: AdapterKind.allCases.map { kind in
            (kind, kind.served.serving(in: lifecycle.engine).map(\.identity.description).sorted())
        })
    }

    @Test func everyKindIsRestoredAtStartThroughOnePath() async throws {
        try await Self.withDataDirectory { data in
            let first = try Self.lifecycle(data: data)
            _ = try await first.load(path: Self.zhV2.path, activate: true)
            _ = try await first.load(path: Self.domainBoth.path, activate: true)
            _ = try await first.load(path: Self.coop.path, activate: false)
            let before = Self.serving(first)
            #expect(before == [.language: ["zh@2"], .domain: ["domain-both@1.0.0"], .prompt: ["tiny-clip-coop@1"]])

            let second = try Self.lifecycle(data: data)
            #expect(Self.serving(second)[.language] == ["zh@1"], "the configured adapter serves until the restore")
            second.restoreInstalled()
            #expect(Self.serving(second) == before)
            // The configured v1 stays loaded (staged) beside the restored v2.
            #expect(second.registry.all.map(\.key) == ["domain-both@1.0.0", "prompt:tiny-clip-coop", "zh@1", "zh@2"])
            #expect(second.registry.all.filter { second.isActive($0) }.map(\.key) == ["domain-both@1.0.0", "prompt:tiny-clip-coop", "zh@2"])
        }
    }

    @Test func aStagedCheckpointIsLoadedButServesNothingUntilActivated() async throws {
        try await Self.withDataDirectory { data in
            let lifecycle = try Self.lifecycle(data: data)
            let staged = try await lifecycle.load(path: Self.zhV2.path, activate: false)
            #expect(!lifecycle.isActive(staged))
            #expect(Self.serving(lifecycle)[.language] == ["zh@1"])
            #expect(try AdapterCatalog(directory: data).installed(kind: "language").isEmpty, "staging records nothing")

            try lifecycle.activate(staged)
            #expect(lifecycle.isActive(staged))
            #expect(Self.serving(lifecycle)[.language] == ["zh@2"])
            #expect(try AdapterCatalog(directory: data).active(kind: "language")?.version == "2")
            #expect(lifecycle.slots.map(\.slotName) == ["language:zh", "domain"])
            #expect(lifecycle.slots.first?.active?.description == "zh@2")
        }
    }

    @Test func eachKindDeactivatesAsItsActivationSays() async throws {
        try await Self.withDataDirectory { data in
            let lifecycle = try Self.lifecycle(data: data)
            // Language: the slot must always serve one.
            let zh = try lifecycle.find("zh")
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.deactivate(zh) }
            #expect(Self.serving(lifecycle)[.language] == ["zh@1"])

            // Domain: switched off, and recorded so a restart serves none.
            let domain = try await lifecycle.load(path: Self.domainBoth.path, activate: true)
            try lifecycle.deactivate(domain)
            #expect(Self.serving(lifecycle)[.domain] == [])
            #expect(try AdapterCatalog(directory: data).active(kind: "domain") == nil)
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.deactivate(domain) }

            // Prompt: served by name from the load on; neither activated nor deactivated, deleted.
            let prompt = try await lifecycle.load(path: Self.coop.path, activate: false)
            #expect(lifecycle.isActive(prompt))
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.activate(prompt) }
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.deactivate(prompt) }
            try lifecycle.delete(prompt)
            #expect(Self.serving(lifecycle)[.prompt] == [])
            #expect(try AdapterCatalog(directory: data).installed(kind: "prompt").isEmpty)
        }
    }

    @Test func onlyACheckpointThatDoesNotServeCanBeDeletedOneAtATime() async throws {
        try await Self.withDataDirectory { data in
            let lifecycle = try Self.lifecycle(data: data)
            let domain = try await lifecycle.load(path: Self.domainBoth.path, activate: true)
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.delete(domain) }
            let text = try await lifecycle.load(path: Self.domainText.path, activate: true)
            try lifecycle.delete(domain)
            #expect(lifecycle.registry.all.map(\.key) == ["domain-text@1.0.0", "zh@1"])
            #expect(lifecycle.isActive(text))
        }
    }

    /// A name that two versions share is ambiguous; the kinds served by name are only found by
    /// their `<kind>:<name>` key, so a bare prompt name never reaches a prompt.
    @Test func referencesResolveWithinTheirNamespace() async throws {
        try await Self.withDataDirectory { data in
            let lifecycle = try Self.lifecycle(data: data)
            _ = try await lifecycle.load(path: Self.zhV2.path, activate: false)
            _ = try await lifecycle.load(path: Self.coop.path, activate: false)
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.find("zh") }
            #expect(try lifecycle.find("zh@2").identity.version == "2")
            #expect(try lifecycle.find("prompt:tiny-clip-coop").kind == .prompt)
            #expect(throws: AdapterLifecycleError.self) { try lifecycle.find("tiny-clip-coop") }
        }
    }

    /// Another checkpoint written over an installed one's directory is not what the operator
    /// activated: the restore skips it, for every kind alike.
    @Test func aCheckpointReplacedOnDiskIsNotRestored() async throws {
        try await Self.withDataDirectory { data in
            let directory = data.appendingPathComponent("checkpoint")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.domainBoth, to: directory)
            let first = try Self.lifecycle(data: data)
            _ = try await first.load(path: directory.path, activate: true)
            #expect(Self.serving(first)[.domain] == ["domain-both@1.0.0"])

            try FileManager.default.removeItem(at: directory)
            try FileManager.default.copyItem(at: Self.domainText, to: directory)
            let second = try Self.lifecycle(data: data)
            second.restoreInstalled()
            #expect(Self.serving(second)[.domain] == [])
            #expect(second.registry.all.map(\.key) == ["zh@1"])
        }
    }
}
