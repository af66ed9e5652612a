import Digests
import Foundation
import Imaging

/// Walks files and folders and stores their images: reads each file, sniffs its magic bytes,
/// skips what is already stored (sha256, so a rerun resumes), embeds in batches through an
/// `ImageEmbedder`, and stores each batch in one transaction. Unreadable and non-image files,
/// and images the embedder cannot decode, are reported and skipped, never fatal.
public final class Ingestor {
    public struct Options: Sendable {
        public var batchSize: Int
        public var sidecar: Sidecar
        public init(batchSize: Int = 32, sidecar: Sidecar = Sidecar()) {
            self.batchSize = batchSize
            self.sidecar = sidecar
        }
    }

    public struct Problem: Sendable, Equatable, Codable {
        public let path: String
        public let reason: String
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var files = 0
        public var stored = 0
        public var duplicates = 0
        public var notImages = 0
        public var unreadable = 0
        public var embeddingFailed = 0
        public var elapsedSeconds = 0.0
        public var problems: [Problem] = []
    }

    private struct Pending {
        let file: URL
        /// Relative to the folder it was found under (the file name for a file given by itself).
        let path: String
        let bytes: Data
        /// nil when the header cannot be read without decoding; decoding may still succeed.
        let header: ImageHeader?
        let sha256: String
    }

    /// Bytes read to recognise a format: `ImageFormat`'s longest signature ends at byte 12
    /// (RIFF, size, WEBP).
    static let signatureBytes = 16

    public let store: ImageStore
    public let embedder: any ImageEmbedder
    public let options: Options
    private let progress: IngestProgress?

    public init(store: ImageStore, embedder: any ImageEmbedder, options: Options = Options(), progress: IngestProgress? = nil) throws {
        guard embedder.space == store.space else {
            throw StoreError.invalidArgument("the embedder produces space \(embedder.space), the store holds \(store.space)")
        }
        guard options.batchSize > 0 else { throw StoreError.invalidArgument("batch size must be positive") }
        self.store = store
        self.embedder = embedder
        self.options = options
        self.progress = progress
    }

    public func run(paths: [String]) async throws -> Summary {
        let start = Date()
        var summary = Summary()
        let files = collectFiles(paths, &summary)
        summary.files = files.count
        progress?.begin(total: files.count)
        var seen = Set<String>()
        var batch: [Pending] = []
        for (n, (file, path)) in files.enumerated() {
            // Sniff the first bytes before reading the whole file: a folder may hold large
            // videos or archives that are not worth reading into memory.
            let head: Data
            do { head = try Self.readPrefix(of: file, count: Self.signatureBytes) } catch {
                summary.unreadable += 1
                summary.problems.append(Problem(path: file.path, reason: "unreadable: \(error.localizedDescription)"))
                continue
            }
            guard (try? ImageDecoder.format(of: head)) != nil else {
                summary.notImages += 1
                summary.problems.append(Problem(path: file.path, reason: "not a JPEG, PNG or WebP file"))
                continue
            }
            let bytes: Data
            do { bytes = try Data(contentsOf: file) } catch {
                summary.unreadable += 1
                summary.problems.append(Problem(path: file.path, reason: "unreadable: \(error.localizedDescription)"))
                continue
            }
            let sha = SHA256.hex(bytes)
            let known = try store.contains(sha256: sha)
            if seen.contains(sha) || known {
                summary.duplicates += 1
            } else {
                seen.insert(sha)
                batch.append(Pending(file: file, path: path, bytes: bytes, header: try? ImageDecoder.header(of: bytes), sha256: sha))
            }
            if batch.count >= options.batchSize {
                try await storeBatch(batch, &summary)
                batch.removeAll()
            }
            progress?.update(done: n + 1 - batch.count, stored: summary.stored)
        }
        try await storeBatch(batch, &summary)
        progress?.update(done: files.count, stored: summary.stored)
        progress?.finish()
        summary.elapsedSeconds = Date().timeIntervalSince(start)
        return summary
    }

    private static func readPrefix(of file: URL, count: Int) throws -> Data {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        return try handle.read(upToCount: count) ?? Data()
    }

    /// Regular files under `paths`, each once, sorted within each folder (a rerun sees the same
    /// order), each with its path relative to the folder given (its name, for a file given).
    private func collectFiles(_ paths: [String], _ summary: inout Summary) -> [(URL, String)] {
        var out: [(URL, String)] = []
        // By bytes: String equality is canonical equivalence, and NFC "é" and NFD "é" are two
        // files on Linux.
        var seen = Set<[UInt8]>()
        func add(_ url: URL, under root: URL) {
            let file = url.standardizedFileURL
            guard seen.insert(Array(file.path.utf8)).inserted else { return }
            let base = root.standardizedFileURL.path
            let relative = file.path.hasPrefix(base + "/") ? String(file.path.dropFirst(base.count + 1)) : file.lastPathComponent
            out.append((file, relative))
        }
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                // A dangling symlink exists as a name but not as a file: report it as unreadable.
                summary.unreadable += 1
                summary.problems.append(Problem(path: url.path, reason: "not found"))
                continue
            }
            guard isDirectory.boolValue else { add(url, under: url.deletingLastPathComponent()); continue }
            let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey]
            guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else { continue }
            var found: [URL] = []
            for case let file as URL in walker {
                let values = try? file.resourceValues(forKeys: Set(keys))
                if values?.isRegularFile == true || values?.isSymbolicLink == true { found.append(file) }
            }
            found.sorted { $0.path < $1.path }.forEach { add($0, under: url) }
        }
        return out
    }

    private func storeBatch(_ batch: [Pending], _ summary: inout Summary) async throws {
        guard !batch.isEmpty else { return }
        var embedded: [(Pending, [Float])] = []
        do {
            let vectors = try await embedder.embed(images: batch.map(\.bytes))
            guard vectors.count == batch.count else {
                throw StoreError.invalidArgument("the embedder returned \(vectors.count) vectors for \(batch.count) images")
            }
            embedded = Array(zip(batch, vectors))
        } catch {
            // One bad image fails the whole batch: retry one by one to keep the others.
            for item in batch {
                do {
                    if let vector = try await embedder.embed(images: [item.bytes]).first { embedded.append((item, vector)) }
                } catch {
                    summary.embeddingFailed += 1
                    summary.problems.append(Problem(path: item.file.path, reason: "could not embed: \(error)"))
                }
            }
        }
        let items = embedded.map { pending, vector in
            let extra = options.sidecar.entry(for: pending.file)
            return NewItem(uri: FileURI.uri(forPath: pending.file.path), path: pending.path, sha256: pending.sha256, width: pending.header?.width,
                           height: pending.header?.height, caption: extra?.caption, metadata: extra?.metadata ?? [:], embedding: vector)
        }
        for outcome in try store.add(items) {
            if case .stored = outcome { summary.stored += 1 } else { summary.duplicates += 1 }
        }
    }
}
