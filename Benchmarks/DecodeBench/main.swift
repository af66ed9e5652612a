// decode-bench: JPEG decode + CLIP preprocessing, DCT-scaled against full size (not a test; see
// scripts/bench-decode, which runs it beside Pillow + transformers' CLIPImageProcessor).
//
//     decode-bench time --preprocessor CONFIG.json [--iterations N] [--paths scaled,full] FILE...
//         one line per file and path ("scaled", "full"): milliseconds per decode + preprocess,
//         each iteration timed alone, wall clock and the thread's CPU time, as JSON
//     decode-bench cosine --model CLIP_DIR FILE...
//         each file's image embedding through both paths and their cosine, then min and mean
//     decode-bench pipeline --model CLIP_DIR [--workers N] [--batch N] [--rounds R] FILE...
//         images/s of EmbeddingEngine.embedImages over all files in one call (decode on the
//         request-work pool pipelined with model batches) and one call per image in turn, beside
//         decode + preprocess alone on the same pool size and the model alone on the same pixels
import Dispatch
import Engine
import Foundation
import Imaging
import Models

struct Arguments {
    var command = ""
    var preprocessor: String?
    var model: String?
    var iterations = 5
    var workers = ProcessInfo.processInfo.activeProcessorCount
    var batch = 16
    var paths = ["scaled", "full"]
    var rounds = 3
    var files: [String] = []

    init(_ argv: [String]) {
        var rest = argv.dropFirst()
        command = rest.popFirst() ?? ""
        while let argument = rest.popFirst() {
            switch argument {
            case "--preprocessor": preprocessor = rest.popFirst()
            case "--model": model = rest.popFirst()
            case "--iterations": iterations = Int(rest.popFirst() ?? "") ?? iterations
            case "--workers": workers = Int(rest.popFirst() ?? "") ?? workers
            case "--rounds": rounds = Int(rest.popFirst() ?? "") ?? rounds
            case "--batch": batch = Int(rest.popFirst() ?? "") ?? batch
            case "--paths": paths = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
            default: files.append(argument)
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("decode-bench: \(message)\n".utf8))
    exit(2)
}

/// Decode under `limits`, then the preprocessor: the model's input for one file.
func pixels(_ data: Data, _ preprocessor: CLIPImagePreprocessor, _ limits: ImageLimits) throws -> [Float] {
    preprocessor.preprocess(try ImageDecoder.decode(data, limits: limits))
}

func limits(_ preprocessor: CLIPImagePreprocessor, scaled: Bool) -> ImageLimits {
    ImageLimits(maxPixels: 100_000_000, scaledDecodeFloor: scaled ? preprocessor.scaledDecodeFloor() : nil)
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
}

/// CPU time of the calling thread: what a decode costs on a core of its own, whatever else the
/// shared machine runs meanwhile (wall-clock time includes waiting for a core).
func threadCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
}

func runTime(_ arguments: Arguments) throws {
    guard let path = arguments.preprocessor else { fail("time needs --preprocessor") }
    let preprocessor = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(json: Data(contentsOf: URL(fileURLWithPath: path))))
    for file in arguments.files {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        for name in arguments.paths {
            let scaled = name == "scaled"
            let limits = limits(preprocessor, scaled: scaled)
            _ = try pixels(data, preprocessor, limits)  // warm-up: page in the file and the code
            var wall: [Double] = [], cpu: [Double] = []
            for _ in 0..<arguments.iterations {
                let cpuStart = threadCPUMilliseconds()
                wall.append(try milliseconds { _ = try pixels(data, preprocessor, limits) })
                cpu.append(threadCPUMilliseconds() - cpuStart)
            }
            func list(_ values: [Double]) -> String { values.map { String(format: "%.3f", $0) }.joined(separator: ", ") }
            print(#"{"file": "\#(URL(fileURLWithPath: file).lastPathComponent)", "path": "swift-\#(name)", "ms": [\#(list(wall))], "cpu_ms": [\#(list(cpu))]}"#)
        }
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

func runCosine(_ arguments: Arguments) throws {
    guard let directory = arguments.model else { fail("cosine needs --model") }
    let clip = try CLIPBundle.load(directory: URL(fileURLWithPath: directory))
    var cosines: [Double] = []
    for file in arguments.files {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let header = try ImageDecoder.header(of: data)
        let inputs = try [true, false].map { scaled in try pixels(data, clip.preprocessor, limits(clip.preprocessor, scaled: scaled)) }
        let features = try clip.model.encodeImages(pixels: inputs[0] + inputs[1], count: 2, normalized: true)
        let c = cosine(Array(features.row(0)), Array(features.row(1)))
        let decoded = JPEGScale.describe(header, clip.preprocessor)
        print(String(format: "%@  %dx%d  decoded %@  cos %.6f", URL(fileURLWithPath: file).lastPathComponent, header.width, header.height, decoded, c))
        cosines.append(c)
    }
    guard !cosines.isEmpty else { return }
    print(String(format: "cosine scaled vs full over %d photos: min %.6f, mean %.6f", cosines.count, cosines.min()!, cosines.reduce(0, +) / Double(cosines.count)))
}

enum JPEGScale {
    /// "504x378 (1/8)": the size the scaled path decodes to.
    static func describe(_ header: ImageHeader, _ preprocessor: CLIPImagePreprocessor) -> String {
        let pixels = header.decodedPixelCount(floor: preprocessor.scaledDecodeFloor())
        let ratio = (Double(header.pixelCount) / Double(pixels)).squareRoot().rounded()
        return ratio > 1 ? "1/\(Int(ratio))" : "full"
    }
}

func runPipeline(_ arguments: Arguments) async throws {
    guard let directory = arguments.model else { fail("pipeline needs --model") }
    let clip = try CLIPBundle.load(directory: URL(fileURLWithPath: directory))
    let images = try arguments.files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    let count = images.count
    let pool = RequestWorkPool(workers: arguments.workers, queueDepth: 4096)
    let engine = EmbeddingEngine(
        clip: clip, batching: BatchLimits(maxBatchSize: arguments.batch, maxWait: .milliseconds(2), queueDepth: 4096),
        imageLimits: ImageLimits(maxPixels: 100_000_000), jpegDCTScaling: true, maxImagePixelsPerRequest: .max,
        requestWork: pool)
    let deadline = ContinuousClock.now + .seconds(3600)
    _ = try await engine.embedImages(Array(images.prefix(2)), deadline: deadline)  // warm-up

    // Each round measures the four in turn; the machine's speed drifts (shared cores), so the
    // figures are medians over rounds.
    let preparation = limits(clip.preprocessor, scaled: true)
    var decodeTimes: [Double] = [], modelTimes: [Double] = [], engineTimes: [Double] = [], serialTimes: [Double] = []
    for _ in 0..<arguments.rounds {
        // Decode + preprocess alone, on as many threads as the pool has.
        var inputs = [[Float]](repeating: [], count: count)
        decodeTimes.append(try milliseconds {
            inputs = try concurrentMap(count, workers: arguments.workers) { i in try pixels(images[i], clip.preprocessor, preparation) }
        })
        // The model alone on those pixels, in batches of the batcher's size.
        modelTimes.append(try milliseconds {
            for start in stride(from: 0, to: count, by: arguments.batch) {
                let end = min(count, start + arguments.batch)
                _ = try clip.model.encodeImages(pixels: Array(inputs[start..<end].joined()), count: end - start, normalized: true)
            }
        })
        // Both through the engine: one call with every image.
        engineTimes.append(try await asyncMilliseconds { _ = try await engine.embedImages(images, deadline: deadline) })
        // The same images one call at a time, each awaited before the next: nothing overlaps.
        serialTimes.append(try await asyncMilliseconds {
            for image in images { _ = try await engine.embedImages([image], deadline: deadline) }
        })
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    let (decodeMs, modelMs, engineMs, serialMs) = (median(decodeTimes), median(modelTimes), median(engineTimes), median(serialTimes))
    func rate(_ ms: Double) -> String { String(format: "%.1f images/s (%.0f ms)", Double(count) * 1000 / ms, ms) }
    print("images: \(count), request-work threads: \(arguments.workers), batch: \(arguments.batch), medians of \(arguments.rounds) rounds")
    print("decode + preprocess alone: \(rate(decodeMs))")
    print("model alone:               \(rate(modelMs))")
    print("embedImages, one call:     \(rate(engineMs))")
    print("embedImages, one by one:   \(rate(serialMs))")
    print(String(format: "one call / max(decode alone, model alone): %.2f (1.00 = the slower stage alone, full overlap)", engineMs / max(decodeMs, modelMs)))
    print(String(format: "one call / (decode alone + model alone): %.2f (1.00 = no overlap)", engineMs / (decodeMs + modelMs)))
}

func asyncMilliseconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
}

/// Results of a `concurrentMap`, filled under the lock by the threads that take the next index.
final class Slots<T>: @unchecked Sendable {
    var values: [Result<T, any Error>?]
    let lock = NSLock()
    var next = 0
    init(_ count: Int) { values = Array(repeating: nil, count: count) }
}

/// `body(0..<count)` on `workers` threads, results in order.
func concurrentMap<T: Sendable>(_ count: Int, workers: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let slots = Slots<T>(count)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let i: Int = slots.lock.withLock { defer { slots.next += 1 }; return slots.next }
            guard i < count else { return }
            let result = Result { try body(i) }
            slots.lock.withLock { slots.values[i] = result }
        }
    }
    return try slots.values.map { try $0!.get() }
}

let arguments = Arguments(CommandLine.arguments)
switch arguments.command {
case "time": try runTime(arguments)
case "cosine": try runCosine(arguments)
case "pipeline": try await runPipeline(arguments)
default: fail("usage: decode-bench time|cosine|pipeline ... (see Benchmarks/DecodeBench/main.swift)")
}
