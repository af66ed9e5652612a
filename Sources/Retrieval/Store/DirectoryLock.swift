import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a space's lock file (`DataDirectory.lockFileURL`): one writer per
/// embedding space and data directory, so the in-memory index never misses rows another process
/// committed. The kernel drops the lock when the process dies, kill -9 included, so a crashed
/// writer never blocks its successor.
final class DirectoryLock: @unchecked Sendable {
    private var fd: Int32

    /// Locks `file`; `directory` is named in the refusal.
    init(file: URL, directory: URL) throws {
        let path = file.path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.directoryInUse("\(directory.path) is in use by another adaptclip process (lock \(path))")
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
