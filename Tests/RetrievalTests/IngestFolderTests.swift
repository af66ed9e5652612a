import Foundation
import TestSupport
import Testing
@testable import Retrieval
#if canImport(Glibc)
import Glibc
#endif

/// What a folder job may read, thought of as an attacker would: paths outside the allowed
/// roots, links out of them, special files, huge files.
@Suite struct IngestFolderTests {
    private func layout() throws -> (base: URL, allowed: URL, outside: URL) {
        let base = try TemporaryDirectory.make()
        let allowed = base.appendingPathComponent("allowed")
        let outside = base.appendingPathComponent("allowed-not")  // shares a prefix, not a parent
        for folder in [allowed.appendingPathComponent("inner"), outside] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try makePNG(width: 3, height: 3, seed: 1).write(to: outside.appendingPathComponent("secret.png"))
        return (base, allowed, outside)
    }

    @Test func refusesFoldersOutsideTheAllowedRoots() throws {
        let (base, allowed, outside) = try layout()
        defer { TemporaryDirectory.remove(base) }
        let roots = [allowed.path]
        func refusal(_ path: String, roots: [String] = roots) -> IngestFolder.Refusal? {
            do { _ = try IngestFolder(path: path, allowedRoots: roots, maxFileBytes: 1 << 20); return nil } catch { return error }
        }
        #expect(refusal(allowed.appendingPathComponent("inner").path) == nil)
        #expect(refusal(allowed.path, roots: []) == .notAllowed)
        #expect(refusal(outside.path) == .notAllowed)
        #expect(refusal(allowed.path + "/../allowed-not") == .notAllowed)
        #expect(refusal("/etc") == .notAllowed)
        // Whether a path elsewhere exists is never told.
        #expect(refusal("/no/such/folder") == .notAllowed)
        #expect(refusal("allowed/inner") == .notAbsolute)
        #expect(refusal(allowed.appendingPathComponent("missing").path) == .notFound)
        // A link inside the root that points out of it resolves outside: refused.
        let link = allowed.appendingPathComponent("escape")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: outside.path)
        #expect(refusal(link.path) == .notAllowed)
        try makePNG(width: 2, height: 2, seed: 2).write(to: allowed.appendingPathComponent("file.png"))
        #expect(refusal(allowed.appendingPathComponent("file.png").path) == .notAFolder)
    }

    @Test func listsRegularFilesOnlyAndReadsNothingOutside() throws {
        let (base, allowed, outside) = try layout()
        defer { TemporaryDirectory.remove(base) }
        let inner = allowed.appendingPathComponent("inner")
        try makePNG(width: 3, height: 2, seed: 3).write(to: inner.appendingPathComponent("猫.png"))
        try makePNG(width: 3, height: 2, seed: 4).write(to: allowed.appendingPathComponent("top.png"))
        try Data(count: 2048).write(to: allowed.appendingPathComponent("large.png"))
        try makePNG(width: 3, height: 2, seed: 5).write(to: allowed.appendingPathComponent(".hidden.png"))
        try FileManager.default.createSymbolicLink(
            atPath: allowed.appendingPathComponent("link.png").path, withDestinationPath: outside.appendingPathComponent("secret.png").path)
        try FileManager.default.createSymbolicLink(atPath: allowed.appendingPathComponent("linked-folder").path, withDestinationPath: outside.path)
        #expect(mkfifo(allowed.appendingPathComponent("pipe.png").path, 0o600) == 0)

        let folder = try IngestFolder(path: allowed.path, allowedRoots: [allowed.path], maxFileBytes: 1024)
        let listing = try folder.list(recursive: true, limit: 100)
        #expect(listing.files == ["inner/猫.png", "large.png", "top.png"])
        #expect(listing.skippedEntries == 4)  // hidden, two links, the FIFO
        #expect(try folder.list(recursive: false, limit: 100).files == ["large.png", "top.png"])
        #expect(throws: StoreError.self) { try folder.list(recursive: true, limit: 2) }

        #expect(try folder.read("inner/猫.png") == makePNG(width: 3, height: 2, seed: 3))
        func reason(_ relative: String) -> String {
            do { _ = try folder.read(relative); return "read" } catch { return error.description }
        }
        #expect(reason("large.png").contains("ingest.max_file_bytes"))
        #expect(reason("link.png").contains("symbolic link"))
        #expect(reason("pipe.png") == "not a regular file")  // and the open did not block
        #expect(reason("linked-folder/secret.png").contains("outside ingest.allowed_roots"))
        #expect(reason("../allowed-not/secret.png").contains("climbs out"))
        // A root the operator removed since refuses every read of a resumed job.
        let resumed = IngestFolder(resolvedRoot: folder.root, allowedRoots: [], maxFileBytes: 1024)
        #expect(throws: IngestFolder.ReadRefusal.self) { try resumed.read("top.png") }
    }
}
