// Write latency while the store maintains its index (not a test): fills a store past its flat
// limit with CLIP-like vectors, then keeps writing small batches while the promotion to the
// approximate index builds in the background, and reports how long each write waited.
//
//   swift run -c release retrieval-writes BASE.f32 DIMENSION [FLAT_LIMIT=990000] [BATCH=16] [FACTORY=IVF1024,Flat]
//
// BASE.f32: row-major float32 vectors (scripts/scale-bench writes them). Rows up to FLAT_LIMIT
// are added first in batches of 4,096 (untimed), then batches of BATCH rows, each timed, until
// the build has been installed and 1,000 more rows were written after it.
import Foundation
import Retrieval

/// Unbuffered, so lines appear as they happen when stdout is a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
guard arguments.count >= 3, let dimension = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: retrieval-writes BASE.f32 DIMENSION [FLAT_LIMIT] [BATCH] [FACTORY]\n".utf8))
    exit(2)
}
let flatLimit = arguments.count > 3 ? Int(arguments[3]) ?? 990_000 : 990_000
let batch = arguments.count > 4 ? Int(arguments[4]) ?? 16 : 16
let factory = arguments.count > 5 ? arguments[5] : "IVF1024,Flat"
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]), options: .alwaysMapped)
let rows = data.count / (4 * dimension)
func vector(_ i: Int) -> [Float] {
    data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)[(i * dimension)..<((i + 1) * dimension)]) }
}
func item(_ i: Int) -> NewItem {
    let uri = "bench://\(i)"
    let hex = String(format: "%064x", i)
    return NewItem(uri: uri, sha256: hex, width: 1, height: 1, caption: nil, metadata: [:], embedding: vector(i))
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-writes-\(getpid())")
defer { try? FileManager.default.removeItem(at: directory) }
let settings = IndexSettings(flatLimit: flatLimit, approximateFactory: factory)
let store = try ImageStore(directory: directory, space: EmbeddingSpace(modelID: "bench", dimension: dimension), settings: settings)
let fillStart = Date()
var next = 0
while next < flatLimit {
    let end = min(next + 4_096, flatLimit)
    _ = try store.add((next..<end).map(item))
    next = end
}
say("filled \(flatLimit) rows in \(String(format: "%.1f", Date().timeIntervalSince(fillStart))) s")

var during: [Double] = [], after: [Double] = []
var buildStart: Date?
var buildSeconds = 0.0
while next + batch <= rows {
    let items = (next..<next + batch).map(item)
    let t = Date()
    _ = try store.add(items)
    let seconds = Date().timeIntervalSince(t)
    next += batch
    let state = store.indexState
    if state.building {
        if buildStart == nil { buildStart = t }
        during.append(seconds)
    } else if buildStart != nil {
        if buildSeconds == 0 { buildSeconds = Date().timeIntervalSince(buildStart!) }
        after.append(seconds)
        if after.count * batch >= 1_000 { break }
    }
}
func summary(_ values: [Double]) -> String {
    guard !values.isEmpty else { return "none" }
    let sorted = values.sorted()
    return String(format: "%d writes, p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.count, sorted[sorted.count / 2] * 1e3,
                  sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1e3, sorted[sorted.count - 1] * 1e3)
}
let state = store.indexState
say("build of \(state.factory) over \(flatLimit)+ rows: \(String(format: "%.1f", buildSeconds)) s; \(state.lastBuildReplayedItems) rows replayed at the install")
say("writes of \(batch) rows during the build: \(summary(during))")
say("writes after the install: \(summary(after))")
if let failure = state.maintenanceFailure { say("maintenance failure: \(failure)") }
try store.close(writingCheckpoint: false)
