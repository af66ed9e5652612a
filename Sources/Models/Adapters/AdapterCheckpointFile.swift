import Digests
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `adapter.json` or `adapter.safetensors` of a checkpoint directory, open for reading.
///
/// The admin API loads checkpoints from paths a client names, so the files are opened as what
/// they claim to be and nothing else: `O_NOFOLLOW` refuses a symbolic link in the file's own
/// name (an `adapter.json` linking to some other file on the server), `O_NONBLOCK` keeps a FIFO
/// from blocking the open, and anything but a regular file is refused. The directory itself
/// may be reached through links; only these two names are not followed.
///
/// Reads are positioned (`pread`) and sized by the caller after checking them against `size`:
/// nothing is read whole unless asked, with a limit. A memory map would spare the copies, but
/// a file truncated while mapped (a trainer rewriting its checkpoint in place) kills the whole
/// process with SIGBUS on the next access; a short `pread` is an error this type can report.
/// Adapter tensors are decoded to Float32 once, so the copy costs no more than the result.
final class AdapterCheckpointFile: @unchecked Sendable {
    /// Largest `adapter.json` read: manifests are a few kilobytes; the bound keeps a hostile
    /// one from being read whole.
    static let maximumManifestBytes = 1 << 20

    /// `adapter.json` or `adapter.safetensors`: the `file` of refusals.
    let name: String
    let size: Int
    // Immutable after init: pread on one descriptor from several threads is safe.
    private let descriptor: Int32
    private let modified: timespec

    /// Opens `<directory>/<name>`; `missing` is the refusal when there is no such file.
    init(directory: URL, name: String) throws(AdapterCheckpointError) {
        self.name = name
        let path = directory.appendingPathComponent(name).path
        func refuse(_ detail: String) -> AdapterCheckpointError {
            AdapterCheckpointError(file: name, field: "file", detail: detail)
        }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw refuse("not found in \(directory.path)")
            case ELOOP: throw refuse("is a symbolic link; a checkpoint's files must be regular files")
            default: throw refuse("cannot be opened (\(String(cString: strerror(errno))))")
            }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw refuse("cannot be read (\(reason))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw refuse("is not a regular file")
        }
        self.descriptor = descriptor
        size = Int(status.st_size)
        modified = Self.modificationTime(status)
    }

    deinit { close(descriptor) }

    /// `count` bytes from `offset`; the caller has checked the range against `size`.
    func read(offset: Int, count: Int) throws(AdapterCheckpointError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size - count else {
            throw changed()
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                if got == 0 { throw changed() }
                throw AdapterCheckpointError(file: name, field: "file", detail: "cannot be read (\(String(cString: strerror(errno))))")
            }
            done += got
        }
        return bytes
    }

    /// The whole file, refused unread when it is larger than `limit`.
    func readAll(limit: Int) throws(AdapterCheckpointError) -> [UInt8] {
        guard size <= limit else {
            throw AdapterCheckpointError(file: name, field: "file", detail: "is \(size) bytes; the limit is \(limit)")
        }
        return try read(offset: 0, count: size)
    }

    /// Lower-case hex SHA-256 of the whole file, read in bounded chunks.
    func sha256() throws(AdapterCheckpointError) -> String {
        var digest = SHA256()
        let chunk = 1 << 20
        var offset = 0
        while offset < size {
            let count = min(chunk, size - offset)
            digest.update(Data(try read(offset: offset, count: count)))
            offset += count
        }
        return digest.finalizeHex()
    }

    /// Refuses a file whose size or modification time changed since it was opened: what was
    /// hashed and checked is no longer what would be decoded.
    func checkUnchanged() throws(AdapterCheckpointError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) == size else { throw changed() }
        let now = Self.modificationTime(status)
        guard now.tv_sec == modified.tv_sec, now.tv_nsec == modified.tv_nsec else { throw changed() }
    }

    private static func modificationTime(_ status: stat) -> timespec {
        #if canImport(Darwin)
        status.st_mtimespec
        #else
        status.st_mtim
        #endif
    }

    private func changed() -> AdapterCheckpointError {
        AdapterCheckpointError(file: name, field: "file", detail: "changed while it was being loaded; load it again")
    }
}
