import CWorkerPool
import Dispatch
import Foundation
import Synchronization

/// Splits a forward pass's work (packed GEMM panels, layer norm, activations, attention heads)
/// across the threads model math may use.
public enum Parallel {
    /// 0 until `setWorkers`: then one worker per core, as OpenBLAS defaults to.
    private static let configuredWorkers = Atomic<Int>(0)
    /// Read once: `workers` is asked at every parallel section.
    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Worker count: `engine.threads`, or one per core.
    public static var workers: Int {
        let configured = configuredWorkers.load(ordering: .relaxed)
        return configured > 0 ? configured : cores
    }

    /// Caps the workers; the engine sets this once at start-up, with OpenBLAS's threads
    /// (`MathThreads`).
    public static func setWorkers(_ count: Int) {
        configuredWorkers.store(max(1, count), ordering: .relaxed)
    }

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
        // The pool (and `concurrentPerform`, its fallback when another section holds the pool)
        // returns only after every chunk has run, and chunks touch disjoint ranges, so handing
        // the non-Sendable closure (and the pointers it captures) to other threads cannot race or
        // outlive this call.
        withoutActuallyEscaping(body) { body in
            var section = Section(count: count, chunks: chunks, body: body)
            let ran = withUnsafeMutablePointer(to: &section) { pointer in
                adaptclip_pool_run(chunks, chunks, { context, chunk in
                    context!.assumingMemoryBound(to: Section.self).pointee.run(chunk)
                }, pointer)
            }
            if ran != 0 {
                let shared = UncheckedSendable(section)
                DispatchQueue.concurrentPerform(iterations: chunks) { shared.value.run($0) }
            }
        }
    }
}

/// One parallel section: `count` items cut into `chunks` contiguous ranges.
private struct Section {
    let count: Int
    let chunks: Int
    let body: (_ worker: Int, _ range: Range<Int>) -> Void

    func run(_ chunk: Int) {
        body(chunk, count * chunk / chunks..<count * (chunk + 1) / chunks)
    }
}

/// See `Parallel.forEachChunk` for why this is sound there; not for general use.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
