import Foundation
import TestSupport

/// The committed tokenizer fixtures (Tests/Fixtures/tokenizers), and scratch copies of them.
enum Fixtures {
    static func directory(_ name: String) -> URL {
        RepositoryPaths.fixture("tokenizers/\(name)")
    }

    /// A fresh temporary directory holding copies of `files` from a fixture directory, for tests
    /// that damage or remove one file. Callers delete it with `TemporaryDirectory.remove`.
    static func scratchCopy(of source: URL, files: [String], label: String = #function) throws -> URL {
        let scratch = try TemporaryDirectory.make(label)
        for file in files {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file), to: scratch.appendingPathComponent(file))
        }
        return scratch
    }
}
