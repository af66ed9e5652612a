import Foundation
import Testing
@testable import Retrieval

/// Acknowledged writes survive kill -9: `adaptclip index import` runs as a child process, is
/// killed with SIGKILL at random points, and after each kill every row it acknowledged on stdout
/// must be in SQLite and in the index (loaded + replayed at open), with no duplicates.
@Suite struct CrashRecoveryTests {
    @Test func everyAcknowledgedRowSurvivesSIGKILL() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let executable = try builtAdaptCLIP()
        let total = 4_000
        let dimension = 32
        let vectors = dir.appendingPathComponent("vectors.jsonl")
        var random = TestVectors(seed: 99)
        var text = ""
        for i in 0..<total {
            let embedding = random.unitVector(dimension: dimension).map { String(format: "%.6f", $0) }.joined(separator: ",")
            text += "{\"uri\":\"file:///crash/\(i).jpg\",\"embedding\":[\(embedding)],\"space\":\"crash-clip\",\"metadata\":{\"n\":\(i)}}\n"
        }
        try text.write(to: vectors, atomically: true, encoding: .utf8)
        let dataDir = dir.appendingPathComponent("data")
        let space = try EmbeddingSpace(modelID: "crash-clip", dimension: dimension)
        // Small batches and frequent checkpoints: kills land inside commits, between commit and
        // index add, and inside the index file's write/rename.
        let arguments = ["index", "import", "--data-dir", dataDir.path, "--vectors", vectors.path, "--batch-size", "25", "--checkpoint-every", "300"]

        var acknowledged: [String: Int64] = [:]  // sha256 → id
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let child = try ChildProcess(executable: executable, arguments: arguments)
            // Wait until this run acknowledges a row earlier runs had not (it has skipped the
            // stored prefix and is writing), then kill it after a random delay.
            let start = Date()
            let before = acknowledged.count
            func writingNewRows() -> Bool {
                child.receivedLines.contains { line in line.split(separator: " ").last.map { acknowledged[String($0)] == nil } ?? false }
            }
            while !writingNewRows(), Date().timeIntervalSince(start) < 20 { usleep(2_000) }
            usleep(UInt32.random(in: 0...150_000, using: &generator))
            child.kill()
            _ = child.wait()
            if child.wasKilled { kills += 1 }
            for line in child.receivedLines {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let id = Int64(parts[1]) else { Issue.record("bad line \(line)"); continue }
                if let earlier = acknowledged[String(parts[2])] {
                    #expect(earlier == id, "sha \(parts[2]) acknowledged with ids \(earlier) and \(id)")
                }
                acknowledged[String(parts[2])] = id
            }
            try verify(dataDir, space: space, acknowledged: acknowledged, label: "after kill \(round)")
            print("crash round \(round): \(child.receivedLines.count) lines this run, \(acknowledged.count - before) new, \(acknowledged.count) acknowledged in total")
        }
        #expect(kills >= 4, "the child should have been killed mid-import most rounds, was \(kills) times")

        // Finally run to completion: the import resumes and stores everything exactly once.
        let last = try ChildProcess(executable: executable, arguments: arguments)
        #expect(last.wait() == 0, "\(last.standardErrorText)")
        for line in last.receivedLines {
            let parts = line.split(separator: " ")
            if parts.count == 3, let id = Int64(parts[1]) { acknowledged[String(parts[2])] = id }
        }
        #expect(acknowledged.count == total)
        let store = try ImageStore(directory: dataDir, space: space)
        defer { try? store.close() }
        #expect(try store.itemCount() == total)
        #expect(try store.indexedIDs().count == total)
    }

    private func verify(_ dataDir: URL, space: EmbeddingSpace, acknowledged: [String: Int64], label: String) throws {
        let store = try ImageStore(directory: dataDir, space: space)
        defer { try? store.close() }
        let db = try SQLiteConnection(path: dataDir.appendingPathComponent(DataDirectory.databaseName).path, options: .init(readOnly: true))
        var rows: [String: Int64] = [:]
        for row in try db.query("SELECT sha256, id FROM items") { rows[row[0].text ?? ""] = row[1].integer }
        let missing = acknowledged.filter { rows[$0.key] != $0.value }
        #expect(missing.isEmpty, "\(label): \(missing.count) acknowledged rows missing from SQLite, e.g. \(missing.first.map { "\($0)" } ?? "")")
        let indexed = try store.indexedIDs()
        let rawIDs = try store.rawIndexedIDs()
        #expect(rawIDs.count == Set(rawIDs).count, "\(label): duplicate ids in the index")
        #expect(indexed == Set(rows.values), "\(label): index holds \(indexed.count) ids, SQLite \(rows.count) rows")
        #expect(acknowledged.values.allSatisfy(indexed.contains), "\(label): an acknowledged row is not in the index")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dataDir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(label): temporary index files left behind: \(leftovers)")
        let uris = try db.scalar("SELECT COUNT(DISTINCT uri) FROM items").integer ?? -1
        #expect(uris == Int64(rows.count), "\(label): duplicate rows")
        print("\(label): \(store.recovery)")
    }
}
