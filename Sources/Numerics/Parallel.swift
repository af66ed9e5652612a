import Dispatch

/// Splits row-wise work (layer norm, activations, attention heads) across the threads the
/// BLAS library is allowed, so the non-GEMM parts of a forward pass scale with the GEMMs.
public enum Parallel {
    /// Worker count: OpenBLAS's thread setting, which the engine configures once.
    public static var workers: Int { max(1, BLASBackend.threadCount) }

    /// Calls `body(worker, range)` for contiguous chunks of `0..<count`, at most one chunk per
    /// worker (and at most `maximumChunks`), none smaller than `minimumChunk` items, so tiny
    /// jobs stay on the calling thread. `worker` is in `0..<min(workers, maximumChunks)`.
    public static func forEachChunk(
        count: Int, minimumChunk: Int, maximumChunks: Int = .max, _ body: (_ worker: Int, _ range: Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = max(1, min(workers, maximumChunks, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0, 0..<count)
            return
        }
        // `concurrentPerform` returns only after every chunk has run, and chunks touch disjoint
        // ranges, so handing the non-Sendable closure (and the pointers it captures) to the
        // workers cannot race or outlive this call.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lower = count * chunk / chunks
                let upper = count * (chunk + 1) / chunks
                shared.value(chunk, lower..<upper)
            }
        }
    }
}

/// See `Parallel.forEachChunk` for why this is sound there; not for general use.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
