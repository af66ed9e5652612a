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
        try catalog.install(record("prompt", "shape", "1"))
        try catalog.install(record("prompt", "colour", "1"))
        try catalog.install(record("prompt", "shape", "2", sha: "b"))
        #expect(try catalog.installed(kind: "prompt").map { "\($0.name)@\($0.version)" } == ["colour@1", "shape@2"])
        #expect(try catalog.installed(kind: "prompt").last == record("prompt", "shape", "2", sha: "b"))
    }

    @Test func anUninstalledPromptIsNotRestoredAndTheOthersStay() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try AdapterCatalog(directory: dir)
        try catalog.install(record("prompt", "shape", "1"))
        try catalog.install(record("prompt", "count", "1"))
        try catalog.uninstall(kind: "prompt", name: "shape")
        #expect(try AdapterCatalog(directory: dir).installed(kind: "prompt").map(\.name) == ["count"])
    }

    @Test func promptsAndTheActiveLanguageAdapterDoNotTouchEachOther() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let catalog = try AdapterCatalog(directory: dir)
        try catalog.activate(record("language", "zh", "1"))
        try catalog.install(record("prompt", "zh", "1"))
        try catalog.activate(record("language", "zh", "2"))
        try catalog.uninstall(kind: "prompt", name: "zh")
        #expect(try catalog.active(kind: "language")?.version == "2")
        #expect(try catalog.installed(kind: "prompt").isEmpty)
    }
}
