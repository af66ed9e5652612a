import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder the server may ingest, checked against the operator's allowed roots, and the safe
/// way to list and read it. Everything a request names is distrusted:
/// - the folder is resolved (`realpath`) and must lie inside an allowed root, itself resolved;
/// - listing uses `lstat` and never follows a symbolic link (a link may point anywhere); only
///   regular files are listed, hidden entries are left out;
/// - each file is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO swapped in cannot block the job),
///   must be a regular file no larger than `maxFileBytes` by `fstat` on the open descriptor, and
///   the descriptor's own path (`/proc/self/fd`) must still lie inside an allowed root, so a
///   folder swapped for a link after listing cannot lead outside.
public struct IngestFolder: Sendable {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notAllowed
        case notAbsolute
        case notFound
        case notAFolder

        public var description: String {
            switch self {
            case .notAllowed: "the folder is not inside any of ingest.allowed_roots"
            case .notAbsolute: "the path must be absolute"
            case .notFound: "no such folder"
            case .notAFolder: "the path is not a folder"
            }
        }
    }

    /// The resolved folder.
    public let root: String
    public let allowedRoots: [String]
    public let maxFileBytes: Int

    /// Resolves `path` and checks it against `allowedRoots` (an empty list allows nothing).
    public init(path: String, allowedRoots: [String], maxFileBytes: Int) throws(Refusal) {
        let resolvedRoots = allowedRoots.compactMap(Self.resolve)
        guard !resolvedRoots.isEmpty else { throw .notAllowed }
        guard path.hasPrefix("/") else { throw .notAbsolute }
        // Refused before touching the file system when it is not even spelled inside a root, so
        // the answer never tells whether a path elsewhere exists.
        let spelled = URL(fileURLWithPath: path).standardizedFileURL.path
        guard allowedRoots.contains(where: { Self.isInside(spelled, URL(fileURLWithPath: $0).standardizedFileURL.path) })
            || resolvedRoots.contains(where: { Self.isInside(spelled, $0) }) else { throw .notAllowed }
        guard let resolved = Self.resolve(path) else { throw .notFound }
        guard resolvedRoots.contains(where: { Self.isInside(resolved, $0) }) else { throw .notAllowed }
        var info = stat()
        guard stat(resolved, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { throw .notAFolder }
        self.init(resolvedRoot: resolved, resolvedAllowedRoots: resolvedRoots, maxFileBytes: maxFileBytes)
    }

    /// A folder resolved and checked before (a job resuming): the allowed roots are resolved
    /// again, so a root the operator removed meanwhile refuses every read.
    public init(resolvedRoot: String, allowedRoots: [String], maxFileBytes: Int) {
        self.init(resolvedRoot: resolvedRoot, resolvedAllowedRoots: allowedRoots.compactMap(Self.resolve), maxFileBytes: maxFileBytes)
    }

    private init(resolvedRoot: String, resolvedAllowedRoots: [String], maxFileBytes: Int) {
        root = resolvedRoot
        allowedRoots = resolvedAllowedRoots
        self.maxFileBytes = maxFileBytes
    }

    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Component-wise: /photos2 is not inside /photos.
    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    /// The regular files under the folder (relative paths, sorted byte-wise so a rerun lists the
    /// same order), at most `limit`, and how many entries were left out.
    public func list(recursive: Bool, limit: Int) throws -> (files: [String], skippedEntries: Int) {
        var files: [String] = []
        var skipped = 0
        var folders: [String] = [""]
        while let relative = folders.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { skipped += 1; continue }
            for name in names {
                if name.hasPrefix(".") { skipped += 1; continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + path, &info) == 0 else { skipped += 1; continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG:
                    files.append(path)
                    if files.count > limit { throw StoreError.invalidArgument("the folder holds more than \(limit) files (ingest.max_job_files)") }
                case S_IFDIR where recursive: folders.append(path)
                default: skipped += 1
                }
            }
        }
        files.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return (files, skipped)
    }

    /// Why a file was not read.
    public struct ReadRefusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The bytes of `relative` under the folder, read under the rules above.
    public func read(_ relative: String) throws(ReadRefusal) -> Data {
        guard !relative.split(separator: "/").contains("..") else { throw ReadRefusal(description: "the path climbs out of the folder") }
        let fd = open(root + "/" + relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw ReadRefusal(description: code == ELOOP ? "a symbolic link (not followed)" : "unreadable: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw ReadRefusal(description: "not a regular file") }
        guard Int(info.st_size) <= maxFileBytes else {
            throw ReadRefusal(description: "\(info.st_size) bytes, more than ingest.max_file_bytes (\(maxFileBytes))")
        }
        guard let opened = Self.resolve("/proc/self/fd/\(fd)"), allowedRoots.contains(where: { Self.isInside(opened, $0) }) else {
            throw ReadRefusal(description: "the file lies outside ingest.allowed_roots")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadRefusal(description: "unreadable: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        // A file that grew past its fstat size since is refused, not truncated silently.
        guard filled <= maxFileBytes, filled <= Int(info.st_size) else { throw ReadRefusal(description: "the file changed while it was read") }
        return Data(bytes[..<filled])
    }

    /// The absolute path of `relative` (what the item's uri records).
    public func absolutePath(_ relative: String) -> String { root + "/" + relative }
}
