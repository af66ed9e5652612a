import Digests
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The on-disk index: `ACLIPIDX` magic, UInt32 LE header length, the JSON `IndexCheckpoint`, then
/// FAISS's serialised index. One file, so the checkpoint can never describe other vectors than
/// the ones beside it; the payload's SHA-256 in the header catches corruption before FAISS reads
/// it (FAISS trusts sizes in its own format and may crash on flipped bytes).
enum IndexFile {
    static let magic = Data("ACLIPIDX".utf8)

    enum ReadError: Error, CustomStringConvertible {
        case missing
        case corrupt(String)

        var description: String {
            switch self {
            case .missing: "no index file"
            case .corrupt(let why): "corrupt index file: \(why)"
            }
        }
    }

    /// Bytes written between two flushes of a file being written: the kernel never holds more
    /// than this much of it unwritten. Without it, the final fsync of a 500 MB index pushed it
    /// all to disk at once, and every SQLite commit (synchronous=FULL) queued behind it for
    /// 100+ ms.
    static let flushEveryBytes = 16 << 20

    /// Writes temp file → fsync → rename over `url` → fsync the directory: after a crash the
    /// path holds either the previous complete file or this one.
    static func write(_ checkpoint: IndexCheckpoint, payload: Data, to url: URL) throws {
        let header = try JSONEncoder().encode(checkpoint)
        var prefix = magic
        var length = UInt32(header.count).littleEndian
        prefix.append(Data(bytes: &length, count: 4))
        prefix.append(header)

        let directory = url.deletingLastPathComponent()
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot create \(temp.path): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp.path) }
        }
        do {
            defer { close(fd) }
            var unflushed = 0
            for part in [prefix, payload] {
                try part.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = Glibc.write(fd, raw.baseAddress! + offset, min(raw.count - offset, flushEveryBytes - unflushed))
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw StoreError.io("writing \(temp.path): \(String(cString: strerror(errno)))")
                        }
                        offset += n
                        unflushed += n
                        if unflushed >= flushEveryBytes {
                            guard fdatasync(fd) == 0 else { throw StoreError.io("fdatasync \(temp.path): \(String(cString: strerror(errno)))") }
                            unflushed = 0
                        }
                    }
                }
            }
            guard fsync(fd) == 0 else { throw StoreError.io("fsync \(temp.path): \(String(cString: strerror(errno)))") }
        }
        guard rename(temp.path, url.path) == 0 else {
            throw StoreError.io("rename \(temp.path) → \(url.path): \(String(cString: strerror(errno)))")
        }
        ok = true
        let dirfd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            defer { close(dirfd) }
            guard fsync(dirfd) == 0 else { throw StoreError.io("fsync \(directory.path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Reads and verifies a file `write` produced.
    static func read(_ url: URL) throws(ReadError) -> (IndexCheckpoint, Data) {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missing }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .corrupt("unreadable: \(error.localizedDescription)") }
        guard data.count >= magic.count + 4, data.prefix(magic.count) == magic else { throw .corrupt("bad magic") }
        let lengthBytes = data.subdata(in: magic.count..<magic.count + 4)
        let headerLength = Int(lengthBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian)
        let headerStart = magic.count + 4
        guard headerLength > 0, data.count >= headerStart + headerLength else { throw .corrupt("truncated header") }
        let checkpoint: IndexCheckpoint
        do {
            checkpoint = try JSONDecoder().decode(IndexCheckpoint.self, from: data.subdata(in: headerStart..<headerStart + headerLength))
        } catch { throw .corrupt("unreadable header: \(error)") }
        guard checkpoint.formatVersion == IndexCheckpoint.formatVersion else {
            throw .corrupt("format version \(checkpoint.formatVersion), expected \(IndexCheckpoint.formatVersion)")
        }
        let payload = data.subdata(in: headerStart + headerLength..<data.count)
        guard payload.count == checkpoint.payloadBytes else {
            throw .corrupt("payload has \(payload.count) bytes, header says \(checkpoint.payloadBytes)")
        }
        guard SHA256.hex(payload) == checkpoint.payloadSHA256 else { throw .corrupt("payload checksum mismatch") }
        return (checkpoint, payload)
    }
}
