// clip-bench: throughput of the Swift CLIP forward passes on a ViT-B/32-shaped model with
// random weights generated in memory (no files, nothing downloaded).
//
//     swift run -c release clip-bench [--threads N] [--seconds S] [--batches 1,8,32] [--lengths 8,16,77] [--openblas | --avx2] [--bf16]
//     swift run -c release clip-bench --gemm [--threads N] [--seconds S]
//
// Prints images/s at batch 1, 8, 32 and texts/s at lengths 8, 16, 77 (batch 32 for texts),
// in the same format as scripts/peer-bench prints PyTorch's and ONNX Runtime's figures.
// `--openblas` runs the linear layers on cblas_sgemm, as `engine.gemm = "openblas"` does;
// `--avx2` runs the packed kernel's AVX2 micro-kernel, as a CPU without AVX-512 would.
// `--bf16` loads the model in bf16 (`ModelLoadOptions(precision: .bf16)`, AVX512-BF16 CPUs only)
// and first prints `PrecisionParity` of its features against the fp32 model of the same weights.
// `--gemm` instead times the forward pass's GEMM shapes in alternative orientations and
// threadings (GEMMShapes.swift), the packed bf16 kernel among them where the CPU has it.
import Foundation
import Models
import Numerics

/// Normal(0, std) weights from a seeded generator, shaped as the loader asks; LayerNorm
/// gains near 1 so activations keep a realistic scale through 12 layers.
struct RandomWeights: WeightSource {
    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        // FNV-1a of the name: a stable seed per tensor (String.hashValue changes per process).
        var state: UInt64 = name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let count = Tensor.elementCount(of: expectedShape) ?? 0
        let isNormGain = (name.contains("norm") || name.contains("layrnorm")) && name.hasSuffix("weight")
        let std: Float = name.hasSuffix("bias") ? 0.02 : (name.contains("embedding") ? 0.05 : 0.02)
        let scalars = (0..<count).map { _ in
            let gaussian = (uniform() + uniform() + uniform() - 1.5) * 2  // cheap bell shape, std ≈ 1
            return isNormGain ? 1 + 0.05 * gaussian : std * gaussian
        }
        return try Tensor(shape: expectedShape, scalars: name == "logit_scale" ? [2.6592] : scalars)
    }
}

let arguments = CommandLine.arguments
func option(_ name: String, default fallback: Double) -> Double {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else {
        return fallback
    }
    return value
}
func list(_ name: String, default fallback: [Int]) -> [Int] {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1].split(separator: ",").compactMap { Int($0) }
}
let imageBatches = list("--batches", default: [1, 8, 32])
let textLengths = list("--lengths", default: [8, 16, 77])
let threads = Int(option("--threads", default: Double(ProcessInfo.processInfo.activeProcessorCount)))
let minimumSeconds = option("--seconds", default: 3)
BLASBackend.setThreadCount(threads)
Parallel.setWorkers(threads)
try (arguments.contains("--openblas") ? GEMMKernel.openblas : arguments.contains("--avx2") ? .avx2 : .auto).select()
if arguments.contains("--gemm") {
    runGEMMShapes(threads: threads, seconds: minimumSeconds)
    runFusedQKVShapes(threads: threads, seconds: minimumSeconds)
    exit(0)
}

let configuration = CLIPConfiguration(
    text: CLIPTextConfiguration(
        vocabSize: 49408, maxPositionEmbeddings: 77, hiddenSize: 512, numHiddenLayers: 12, numAttentionHeads: 8,
        intermediateSize: 2048, hiddenAct: .quickGELU, layerNormEps: 1e-5, bosTokenID: 49406, eosTokenID: 49407,
        padTokenID: 1),
    vision: CLIPVisionConfiguration(
        imageSize: 224, patchSize: 32, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072,
        hiddenAct: .quickGELU, layerNormEps: 1e-5, numChannels: 3),
    projectionDim: 512, logitScaleInitValue: 2.6592)

/// Process CPU time: on a shared machine it shows the work done when wall time is inflated by
/// other processes (it counts OpenBLAS's spinning threads too, so it is an upper bound).
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Wall and CPU seconds per call of `work`, averaged over at least `minimumSeconds`.
func time(_ work: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    try work()  // warm-up: page in weights, let OpenBLAS start its threads
    var runs = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    var elapsed = 0.0
    repeat {
        try work()
        runs += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < minimumSeconds
    return (elapsed / Double(runs), (cpuSeconds() - cpuStart) / Double(runs))
}

do {
    let options = ModelLoadOptions(precision: arguments.contains("--bf16") ? try Precision.bf16.checkedAvailable() : .fp32)
    let model = CLIPModel(weights: try CLIPWeights(from: RandomWeights(), configuration: configuration, options: options))
    // peer-bench's summary tells the engines apart by this first column.
    let engine = (options.precision == .fp32 ? "swift" : "swift-\(options.precision)").padding(toLength: 16, withPad: " ", startingAt: 0)
    print(engine + "threads=\(threads)  \(PreparedWeight.kernelReport(precision: options.precision))  \(BLASBackend.configuration)")
    if options.precision != .fp32 {
        let twin = CLIPModel(weights: try CLIPWeights(from: RandomWeights(), configuration: configuration))
        print(engine + "\(options.precision) vs fp32 (PrecisionParity): \(try PrecisionParity.measure(candidate: model, reference: twin))")
    }
    for batch in imageBatches {
        let pixels = (0..<(batch * 3 * 224 * 224)).map { Float(($0 * 7919) % 1000) / 500 - 1 }
        let seconds = try time { _ = try model.encodeImages(pixels: pixels, count: batch) }
        print(engine + String(
            format: "images  batch %2d  %8.2f images/s   (%.2f per CPU-second)", batch,
            Double(batch) / seconds.wall, Double(batch) / seconds.cpu))
    }
    let textBatch = 32
    for length in textLengths where length >= 2 {
        let ids = (0..<textBatch).map { item in
            [49406] + (0..<(length - 2)).map { (item * 131 + $0 * 977) % 49000 } + [49407]
        }
        let seconds = try time { _ = try model.encodeTexts(tokenIDs: ids) }
        print(engine + String(
            format: "texts   length %2d  %8.2f texts/s (batch %d)   (%.2f per CPU-second)", length,
            Double(textBatch) / seconds.wall, textBatch, Double(textBatch) / seconds.cpu))
    }
} catch {
    FileHandle.standardError.write(Data("clip-bench: \(error)\n".utf8))
    exit(1)
}
