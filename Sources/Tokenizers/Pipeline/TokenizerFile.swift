import Foundation

/// Reads the files of a tokenizer directory, turning every I/O failure into a `TokenizerError`
/// that names the file.
enum TokenizerFile {
    static func read(_ url: URL) throws(TokenizerError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(url.path)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .malformed(file: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
    }

    /// Optional files (tokenizer_config.json) are nil when absent, but an unreadable one is an error.
    static func readIfPresent(_ url: URL) throws(TokenizerError) -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(url)
    }

    static func utf8Text(_ data: Data, file: URL) throws(TokenizerError) -> String {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(file: file.path, reason: "not valid UTF-8")
        }
        return text
    }
}
