import Foundation
@testable import Imaging

/// The pixel buffers decoders allocate while a body runs (through `PixelBuffer`'s task-local
/// observer), so a test can check that a refusal came before any allocation.
enum AllocationLog {
    private final class Sizes: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func append(_ size: Int) { lock.withLock { values.append(size) } }
        var all: [Int] { lock.withLock { values } }
    }

    /// Runs `body`; returns the error it threw (nil if none) and the buffer sizes allocated.
    static func run(_ body: () throws -> Void) -> (error: ImageError?, sizes: [Int]) {
        let sizes = Sizes()
        var thrown: ImageError? = nil
        PixelBuffer.$allocationObserver.withValue({ sizes.append($0) }) {
            do { try body() } catch let error as ImageError { thrown = error } catch {
                preconditionFailure("decoders throw ImageError only, got \(error)")
            }
        }
        return (thrown, sizes.all)
    }
}
