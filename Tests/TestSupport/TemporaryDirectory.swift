import Foundation

/// Fresh directories for files a test writes, one shape everywhere:
///
///     let directory = try TemporaryDirectory.make()
///     defer { TemporaryDirectory.remove(directory) }
///
/// A `defer` rather than a class whose deinit removes the directory, because ARC may end an
/// object's life at its last use, before the test is done with the path; and rather than a
/// closure, because many helpers prepare a directory (a damaged copy of a fixture) and return it.
public enum TemporaryDirectory {
    /// Creates a new, empty directory under the system's temporary directory, named after the
    /// calling function so a leftover one says which test made it.
    public static func make(_ label: String = #function) throws -> URL {
        let name = "adaptclip-\(label.filter { $0.isLetter || $0.isNumber }.prefix(60))-\(UUID().uuidString)"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes `url` and everything below it; a directory already gone is not an error.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}
