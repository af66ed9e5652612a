// `clip-bench --gemm`: GFLOP/s of the linear-layer GEMMs of a ViT-B/32 forward pass, in the
// ways they could be run, so a change of orientation, threading or kernel is judged on the
// shapes that matter (50 rows = one image, 256 = 32 texts of 8 tokens, 1600 = 32 images).
import COpenBLAS
import Dispatch
import Foundation
import Numerics

/// Wall and process-CPU seconds per call, as `time` in main.swift but without its warm-up
/// semantics (here each call reads a different weight copy, as layers do).
private func perCall(_ seconds: Double, _ work: (Int) -> Void) -> (wall: Double, cpu: Double) {
    work(0)
    var calls = 0
    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
    var elapsed = 0.0
    repeat {
        work(calls)
        calls += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < seconds
    return (elapsed / Double(calls), (cpuSeconds() - cpuStart) / Double(calls))
}

/// Deterministic values in [-0.5, 0.5): what the GEMMs compute on does not change their speed.
private func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { (i: Int) -> Float in Float((i * 7919 + seed) % 1000) / 1000 - 0.5 }
}

/// One shared pointer for the workers of a split GEMM (they write disjoint columns).
private struct SharedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
}

/// For each (rows, in, out): y = x·wᵀ as one OpenBLAS call on `threads` threads ("rows×w"),
/// as yᵀ = w·xᵀ ("w×rowsᵀ", the weight on the other packing side), and as `threads` single-
/// threaded calls on column blocks of w run by our own workers ("split"), through
/// `PreparedWeight` ("served": the packed kernel where the CPU can run it) and, where the CPU
/// has AVX512-BF16, through `PreparedWeight` in bf16 ("bf16"). Figures are
/// GFLOP/s per wall second and per CPU second. Weights rotate through 64 MB of copies so they
/// come from memory as in a 12-layer pass, not from cache.
/// `served` is what a model loaded with `kernel` (`--openblas`, `--avx2` or the best) multiplies with.
func runGEMMShapes(threads: Int, seconds: Double, kernel: GEMMKernel) throws {
    let servedLayout = try kernel.fp32Layout()
    let shapes = [(50, 768, 2304), (50, 768, 3072), (50, 3072, 768), (256, 512, 1536), (256, 2048, 512), (1600, 768, 3072), (1600, 3072, 768)]
    print("gemm  threads=\(threads)  GFLOP/s wall/CPU  \(BLASBackend.configuration)")
    for (rows, inFeatures, outFeatures) in shapes {
        let copies = max(1, 64_000_000 / (outFeatures * inFeatures * 4))
        let weights = (0..<copies).map { values(outFeatures * inFeatures, seed: $0) }
        let x = values(rows * inFeatures, seed: 104_729)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * outFeatures)
        defer { y.deallocate() }
        let flop = 2 * Double(rows * inFeatures * outFeatures)
        func rate(_ t: (wall: Double, cpu: Double)) -> String { String(format: "%4.0f/%-4.0f", flop / t.wall / 1e9, flop / t.cpu / 1e9) }
        let (m, k, n) = (Int32(rows), Int32(inFeatures), Int32(outFeatures))

        BLASBackend.setThreadCount(threads)
        let rowsTimesW = perCall(seconds) { call in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, x, k, weights[call % copies], k, 0, y, n)
        }
        let wTimesRows = perCall(seconds) { call in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1, weights[call % copies], k, x, k, 0, y, m)
        }
        BLASBackend.setThreadCount(1)
        let split = perCall(seconds) { call in
            weights[call % copies].withUnsafeBufferPointer { w in
                x.withUnsafeBufferPointer { x in
                    let (w, x, out) = (SharedPointer(pointer: UnsafeMutablePointer(mutating: w.baseAddress!)),
                                       SharedPointer(pointer: UnsafeMutablePointer(mutating: x.baseAddress!)), SharedPointer(pointer: y))
                    DispatchQueue.concurrentPerform(iterations: threads) { part in
                        let lower = outFeatures * part / threads, upper = outFeatures * (part + 1) / threads
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasTrans, m, Int32(upper - lower), k, 1, x.pointer, k,
                            w.pointer + lower * inFeatures, k, 0, out.pointer + lower, n)
                    }
                }
            }
        }
        BLASBackend.setThreadCount(threads)
        let prepared = weights.map { w in
            PreparedWeight(
                TensorBuffer(try! Tensor(shape: [outFeatures, inFeatures], scalars: w)), outFeatures: outFeatures,
                inFeatures: inFeatures, layout: servedLayout)
        }
        let served = perCall(seconds) { call in prepared[call % copies].apply(x, rows: rows, bias: nil, into: y) }
        var bf16 = ""
        if Precision.bf16.isAvailable {
            // Twice as many copies: a bf16 weight is half the bytes, and the rotation should
            // still come from memory.
            let halfSize = (0..<(2 * copies)).map { index in
                PreparedWeight(
                    TensorBuffer(try! Tensor(shape: [outFeatures, inFeatures], scalars: weights[index % copies])),
                    outFeatures: outFeatures, inFeatures: inFeatures, layout: .packedBF16)
            }
            bf16 = "  bf16 \(rate(perCall(seconds) { call in halfSize[call % halfSize.count].apply(x, rows: rows, bias: nil, into: y) }))"
        }
        print(String(format: "gemm  rows %4d  in %4d  out %4d   ", rows, inFeatures, outFeatures)
            + "rows×w \(rate(rowsTimesW))  w×rowsᵀ \(rate(wTimesRows))  split \(rate(split))  "
            + "served (\(prepared[0].layout)) \(rate(served))\(bf16)")
    }
}

/// The attention projections of one layer as one GEMM over the stacked [3·width, width]
/// weight (what the forward pass does) against three GEMMs over its thirds (what it did).
func runFusedQKVShapes(threads: Int, seconds: Double) {
    BLASBackend.setThreadCount(threads)
    for (rows, width) in [(50, 768), (256, 512), (1600, 768), (2464, 512)] {
        let copies = max(1, 64_000_000 / (3 * width * width * 4))
        let weights = (0..<copies).map { values(3 * width * width, seed: $0) }
        let x = values(rows * width, seed: 104_729)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * 3 * width)
        defer { y.deallocate() }
        let flop = 2 * Double(rows * width * 3 * width)
        func rate(_ t: (wall: Double, cpu: Double)) -> String { String(format: "%4.0f/%-4.0f", flop / t.wall / 1e9, flop / t.cpu / 1e9) }
        let (m, k) = (Int32(rows), Int32(width))
        let fused = perCall(seconds) { call in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, 3 * k, k, 1, x, k, weights[call % copies], k, 0, y, 3 * k)
        }
        let three = perCall(seconds) { call in
            weights[call % copies].withUnsafeBufferPointer { w in
                for part in 0..<3 {
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, m, k, k, 1, x, k, w.baseAddress! + part * width * width, k,
                        0, y + part * rows * width, k)
                }
            }
        }
        print(String(format: "qkv   rows %4d  width %4d   ", rows, width) + "one GEMM \(rate(fused))  three \(rate(three))")
    }
}
