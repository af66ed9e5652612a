import Foundation

/// Locates committed fixtures from this source file's path (walking up to the package root), so
/// tests never depend on the working directory.
enum Fixtures {
    static func tokenizersDirectory(filePath: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent("Tests/Fixtures/tokenizers")
            }
            directory = directory.deletingLastPathComponent()
        }
        throw FixtureError.packageRootNotFound(filePath)
    }

    static func directory(_ name: String) throws -> URL {
        try tokenizersDirectory().appendingPathComponent(name)
    }

    /// A fresh temporary directory holding copies of `files` from a fixture directory, for tests
    /// that damage or remove one file. Callers delete it with `removeScratch`.
    static func scratchCopy(of source: URL, files: [String]) throws -> URL {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("tokenizers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file), to: scratch.appendingPathComponent(file))
        }
        return scratch
    }

    static func emptyScratch() throws -> URL {
        try scratchCopy(of: URL(fileURLWithPath: "/"), files: [])
    }

    static func removeScratch(_ directory: URL) {
        try? FileManager.default.removeItem(at: directory)
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case packageRootNotFound(String)

    var description: String {
        switch self {
        case .packageRootNotFound(let path): "no Package.swift above \(path)"
        }
    }
}
