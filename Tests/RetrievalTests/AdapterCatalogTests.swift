import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// The adapters table as a restart reads it: one active language adapter, every installed prompt.
@Suite struct AdapterCatalogTests {
    private func record(_ kind: String, _ name: String, _ version: String, sha: Character = "a") -> AdapterCatalog.Record {
        .init(kind: kind, name: name, version: version, baseModel: "tiny-clip", sha256: String(repeating: sha, count: 64),
              manifestJSON: #"{"name": "\#(name)"}"#, path: "/ckpt/\(name)-\(version)")
    }

    @Test func promptsOfDifferentNamesAreAllInstalledAndANewVersionReplacesOnlyItsName() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try AdapterCatalog(directory: dir)
        try catalog.install(prompt: record("prompt", "shape", "1"))
        try catalog.install(prompt: record("prompt", "colour", "1"))
        try catalog.install(prompt: record("prompt", "shape", "2", sha: "b"))
        #expect(try catalog.installedPrompts().map { "\($0.name)@\($0.version)" } == ["colour@1", "shape@2"])
        #expect(try catalog.installedPrompts().last == record("prompt", "shape", "2", sha: "b"))
    }

    @Test func anUninstalledPromptIsNotRestoredAndTheOthersStay() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try AdapterCatalog(directory: dir)
        try catalog.install(prompt: record("prompt", "shape", "1"))
        try catalog.install(prompt: record("prompt", "count", "1"))
        try catalog.uninstall(promptNamed: "shape")
        #expect(try AdapterCatalog(directory: dir).installedPrompts().map(\.name) == ["count"])
    }

    @Test func promptsAndTheActiveLanguageAdapterDoNotTouchEachOther() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try AdapterCatalog(directory: dir)
        try catalog.activate(record("language", "zh", "1"))
        try catalog.install(prompt: record("prompt", "zh", "1"))
        try catalog.activate(record("language", "zh", "2"))
        try catalog.uninstall(promptNamed: "zh")
        #expect(try catalog.active(kind: "language")?.version == "2")
        #expect(try catalog.installedPrompts().isEmpty)
    }
}
