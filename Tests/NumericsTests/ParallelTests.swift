import Foundation
import Synchronization
import Testing
@testable import Numerics

/// Inputs large enough that layer norm, activations and attention split across workers.
@Suite struct ParallelTests {
    @Test func chunksCoverTheRangeOnceWithinTheWorkerCap() {
        let count = 1003
        var seen = [Int](repeating: 0, count: count)
        let workerLimit = Parallel.workers
        seen.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(count: count, minimumChunk: 10) { worker, range in
                precondition(worker < workerLimit)
                for i in range { base[i] += 1 }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }

    /// Counts, per item, how often one section ran it.
    static func coverage(count: Int, minimumChunk: Int = 1) -> [Int] {
        var seen = [Int](repeating: 0, count: count)
        seen.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { _, range in
                for i in range { base[i] += 1 }
            }
        }
        return seen
    }

    /// Thousands of tiny sections back to back, as a forward pass issues them: a worker that is
    /// still finishing one section must never run an item of the next.
    @Test func backToBackSectionsEachRunEveryItemOnce() {
        for round in 0..<5000 {
            let count = 2 + round % 7
            let seen = Self.coverage(count: count)
            if !seen.allSatisfy({ $0 == 1 }) {
                Issue.record("section \(round) of \(count) items ran \(seen)")
                return
            }
        }
    }

    /// Several threads running sections at once (the engine's text and image batches): one
    /// holds the worker pool, the others fall back to Dispatch, and every section stays exact.
    @Test func concurrentCallersEachGetExactSections() {
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<400 {
                let seen = Self.coverage(count: 50 + (caller * 31 + round) % 200, minimumChunk: 5)
                if !seen.allSatisfy({ $0 == 1 }) { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    /// A section started inside a chunk of another (a GEMM inside a parallel attention head)
    /// runs to completion without deadlocking on the pool.
    @Test func nestedSectionsComplete() {
        let outer = 4, inner = 300
        var seen = [Int](repeating: 0, count: outer * inner)
        seen.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(count: outer, minimumChunk: 1) { _, range in
                for o in range {
                    Parallel.forEachChunk(count: inner, minimumChunk: 10) { _, innerRange in
                        for i in innerRange { base[o * inner + i] += 1 }
                    }
                }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }

    @Test func largeLayerNormMatchesRowByRow() {
        let rows = 700, width = 64
        let x = seededValues(rows * width, seed: 61, scale: 2)
        let gamma = seededValues(width, seed: 62), beta = seededValues(width, seed: 63)
        var whole = [Float](repeating: .nan, count: rows * width)
        LayerNorm.apply(x, rows: rows, width: width, gamma: gamma, beta: beta, eps: 1e-5, into: &whole)
        var expected = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            var single = [Float](repeating: 0, count: width)
            Array(x[(r * width)..<((r + 1) * width)]).withUnsafeBufferPointer { row in
                LayerNorm.apply(row.baseAddress!, rows: 1, width: width, gamma: gamma, beta: beta, eps: 1e-5, into: &single)
            }
            for i in 0..<width { expected[r * width + i] = Double(single[i]) }
        }
        expectClose(whole, expected, tolerance: 0, "parallel layer norm vs one row at a time")
    }

    @Test func largeActivationMatchesReference() {
        let inputs = seededValues(50_001, seed: 64, scale: 5)
        var x = inputs
        Activation.gelu.apply(&x, count: x.count)
        let expected = inputs.map { v in 0.5 * Double(v) * (1 + erf(Double(v) / 2.0.squareRoot())) }
        expectClose(x, expected, tolerance: 2e-6, "parallel gelu")
    }
}
