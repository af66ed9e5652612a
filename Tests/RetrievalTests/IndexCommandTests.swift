import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// The CLI over the store, run as the built binary: migrate, import (with a rejected line),
/// stats as JSON, rebuild.
@Suite struct IndexCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable: try builtAdaptCLIP(), arguments: arguments)
        let status = child.wait()
        return (status, child.receivedLines.joined(separator: "\n"), child.standardErrorText)
    }

    @Test func migrateImportStatsAndRebuild() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let data = dir.appendingPathComponent("data").path

        let migrate = try run(["migrate", "--data-dir", data])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(migrate.stdout.utf8)) as? [String: Any]
        #expect(report?["currentVersion"] as? Int == (try MigrationCatalog.bundled().latestVersion))

        let vectors = dir.appendingPathComponent("v.jsonl")
        try """
            {"uri": "a.jpg", "embedding": [1, 0, 0, 0], "space": "m+adapter", "metadata": {"tag": "x"}}
            {"uri": "b.jpg", "embedding": [0, 1, 0, 0], "space": "m+adapter", "caption": "bee"}
            {"uri": "c.jpg", "embedding": [0, 0, 0], "space": "m+adapter"}
            {"uri": "d.jpg", "space": "m+adapter"}
            {"uri": "a.jpg", "embedding": [1, 0, 0, 0], "space": "m+adapter"}
            """.write(to: vectors, atomically: true, encoding: .utf8)
        let imported = try run(["index", "import", "--data-dir", data, "--vectors", vectors.path])
        // Rejected lines make the exit status 1; the good ones are stored and acknowledged.
        #expect(imported.status == 1)
        #expect(imported.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["stored", "stored", "duplicate"])
        #expect(imported.stderr.contains("v.jsonl:3: skipped"), "\(imported.stderr)")
        #expect(imported.stderr.contains("v.jsonl:4: skipped: missing field \"embedding\""), "\(imported.stderr)")

        let stats = try run(["index", "stats", "--data-dir", data])
        #expect(stats.status == 0, "\(stats.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        #expect(json?["totalItems"] as? Int == 2)
        let space = (json?["spaces"] as? [[String: Any]])?.first
        #expect(space?["model"] as? String == "m" && space?["imageAdapter"] as? String == "adapter" && space?["dimension"] as? Int == 4)
        let index = space?["index"] as? [String: Any]
        #expect(index?["state"] as? String == "ok" && index?["vectors"] as? Int == 2 && index?["factory"] as? String == "Flat")

        try FileManager.default.removeItem(atPath: data + "/index-space1.acidx")
        let missing = try run(["index", "stats", "--data-dir", data])
        #expect(missing.stdout.contains("\"state\" : \"missing\""))
        let rebuild = try run(["index", "rebuild", "--data-dir", data])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stdout.contains("\"vectors\" : \"2\""), "\(rebuild.stdout)")
        #expect(FileManager.default.fileExists(atPath: data + "/index-space1.acidx"))
    }
}
