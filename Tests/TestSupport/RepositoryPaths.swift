import Foundation

/// Where the repository's committed files are, found from this file's own path, never from the
/// working directory (which differs between `swift test`, an IDE and CI).
public enum RepositoryPaths {
    /// The repository root: this file is Tests/TestSupport/RepositoryPaths.swift.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tests/Fixtures: the committed fixtures, written by the generators in training/fixtures.
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    /// A file or folder below Tests/Fixtures, e.g. `fixture("engine/tiny-clip")`.
    public static func fixture(_ relativePath: String) -> URL {
        fixtures.appendingPathComponent(relativePath)
    }
}
