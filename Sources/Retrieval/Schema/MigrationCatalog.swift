import Foundation

/// The ordered migrations the code knows. The canonical source is the SwiftPM resource folder
/// `Sources/Retrieval/Migrations/` (copied into `AdaptCLIP_Retrieval.resources/Migrations` next to
/// every built binary), so the SQL exists once and reaches the binary regardless of the CWD.
public struct MigrationCatalog: Sendable {
    public let migrations: [Migration]

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    public init(migrations: [Migration]) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (offset, m) in sorted.enumerated() {
            if offset > 0, sorted[offset - 1].version == m.version { throw MigrationError.duplicateVersion(m.version) }
            if m.version != offset + 1 { throw MigrationError.gap(expected: offset + 1, found: m.version) }
        }
        self.migrations = sorted
    }

    /// Reads every `NNNN_name.sql` in `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        let migrations = try names.map { file -> Migration in
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]),
                  stem.distance(from: stem.startIndex, to: underscore) == 4, version > 0 else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }
        try self.init(migrations: migrations)
    }

    /// The catalog shipped with this build.
    public static func bundled() throws -> MigrationCatalog {
        try bundled(bundleName: "AdaptCLIP_Retrieval.resources",
                    sourceFolder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Migrations"))
    }

    /// The `Migrations` resource folder of another target (the PostgreSQL store's), found the same
    /// way: `bundleName` next to the executable, then `sourceFolder` (development builds).
    public static func bundled(bundleName: String, sourceFolder: URL) throws -> MigrationCatalog {
        let candidates = bundledDirectoryCandidates(bundleName: bundleName, sourceFolder: sourceFolder)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("0001_initial.sql").path) }) else {
            throw MigrationError.catalogNotFound(searched: candidates.map(\.path))
        }
        return try MigrationCatalog(directory: found)
    }

    /// Where the resource folder may be. Not `Bundle.module`: its generated accessor calls
    /// fatalError when the bundle is missing, and a server must report that as an error instead.
    static func bundledDirectoryCandidates(bundleName: String, sourceFolder: URL) -> [URL] {
        var out: [URL] = []
        // 1. Next to the running executable (adaptclip, or the test runner in .build/<config>/).
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        out.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName).appendingPathComponent("Migrations"))
        // 2. Foundation's idea of the main bundle (differs from 1 on macOS app layouts).
        out.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent("Migrations"))
        if let resources = Bundle.main.resourceURL {
            out.append(resources.appendingPathComponent(bundleName).appendingPathComponent("Migrations"))
        }
        // 3. The source tree the target was compiled from (development builds only).
        out.append(sourceFolder)
        var seen = Set<String>()
        return out.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }
}
