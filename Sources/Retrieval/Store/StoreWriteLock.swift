import Synchronization

/// Serialises every write of one store (rows, index changes, checkpoints, the install of a
/// background build). A class so the store and its index maintainer share the one lock.
final class StoreWriteLock: Sendable {
    private let mutex = Mutex(())

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in try body() }
    }
}
