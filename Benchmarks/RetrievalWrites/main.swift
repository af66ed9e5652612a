// Write latency while the store maintains its index (not a test). Fills a store with CLIP-like
// vectors under the store's default settings (promotion past the flat limit to IVF in the
// background, periodic checkpoints), then writes small batches at a steady ingest rate, each
// timed, through two kinds of maintenance at full size:
//   1. periodic checkpoints (the index file serialised, hashed, written and fsynced), three of them;
//   2. a compaction rebuild, started by deleting a tenth of the rows, until it is installed and
//      1,000 more rows were written after it.
//
//   swift run -c release retrieval-writes BASE.f32 DIMENSION [ROWS=all] [BATCH=16] [RATE=400]
//
// BASE.f32: row-major float32 vectors (scale_bench.py --vectors-only writes them). ROWS are added
// first in batches of 4,096 (untimed); the timed writes reuse the vectors under new ids. RATE is
// the timed phases' rows per second (a camera roll ingested through the service runs ~100–400).
import Foundation
import Retrieval

/// Unbuffered, so lines appear as they happen when stdout is a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
guard arguments.count >= 3, let dimension = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: retrieval-writes BASE.f32 DIMENSION [ROWS] [BATCH] [RATE]\n".utf8))
    exit(2)
}
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]), options: .alwaysMapped)
let available = data.count / (4 * dimension)
let rows = arguments.count > 3 ? min(Int(arguments[3]) ?? available, available) : available
let batch = arguments.count > 4 ? Int(arguments[4]) ?? 16 : 16
let rate = arguments.count > 5 ? Double(arguments[5]) ?? 400 : 400
func vector(_ i: Int) -> [Float] {
    let row = i % available
    return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)[(row * dimension)..<((row + 1) * dimension)]) }
}
func item(_ i: Int) -> NewItem {
    NewItem(uri: "bench://\(i)", sha256: String(format: "%064x", i), width: 1, height: 1, caption: nil, metadata: [:], embedding: vector(i))
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-writes-\(getpid())")
defer { try? FileManager.default.removeItem(at: directory) }
let settings = IndexSettings()
let store = try ImageStore(directory: directory, space: EmbeddingSpace(modelID: "bench", dimension: dimension), settings: settings)
@MainActor func indexFileMegabytes() -> String {
    let attributes = try? FileManager.default.attributesOfItem(atPath: store.indexFileURL.path)
    let bytes = (attributes?[.size] as? Int) ?? 0
    return String(format: "%.0f", Double(bytes) / 1e6)
}

var clock = Date()
var next = 0
while next < rows {
    let end = min(next + 4_096, rows)
    _ = try store.add((next..<end).map(item))
    next = end
}
store.waitForIndexBuild()
store.waitForIndexCheckpoint()
say("filled \(rows) rows in \(String(format: "%.1f", Date().timeIntervalSince(clock))) s: \(store.indexState.factory), "
    + "\(store.indexState.vectors) vectors, index file \(indexFileMegabytes()) MB")

func summary(_ values: [Double]) -> String {
    guard !values.isEmpty else { return "none" }
    let sorted = values.sorted()
    return String(format: "%d writes, p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.count, sorted[sorted.count / 2] * 1e3,
                  sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1e3, sorted[sorted.count - 1] * 1e3)
}

/// Writes one batch at the steady rate; returns how long the write itself took.
@MainActor func pacedWrite() throws -> Double {
    let due = clock.addingTimeInterval(Double(batch) / rate)
    if due > Date() { Thread.sleep(until: due) }
    clock = max(due, Date().addingTimeInterval(-1))
    let items = (next..<next + batch).map(item)
    next += batch
    let t = Date()
    _ = try store.add(items)
    return Date().timeIntervalSince(t)
}

// 1. Periodic checkpoints.
var duringCheckpoints: [Double] = [], between: [Double] = [], checkpointSeconds: [Double] = []
var checkpointStart: Date?
clock = Date()
while checkpointSeconds.count < 3 {
    let seconds = try pacedWrite()
    let running = store.indexState.checkpointing
    if running, checkpointStart == nil { checkpointStart = Date() }
    if checkpointStart != nil { duringCheckpoints.append(seconds) } else { between.append(seconds) }
    if !running, let start = checkpointStart {
        checkpointSeconds.append(Date().timeIntervalSince(start))
        checkpointStart = nil
    }
}
say("periodic checkpoints at \(store.indexState.vectors) vectors (\(indexFileMegabytes()) MB file): "
    + checkpointSeconds.map { String(format: "%.2f s", $0) }.joined(separator: ", ")
    + " (seen by the writer, ±1 write)")
say("  writes of \(batch) rows at \(Int(rate)) rows/s during the checkpoints: \(summary(duringCheckpoints))")
say("  between them: \(summary(between))")

// 2. A compaction rebuild at full size: deletions in batches of 1,000 until the tombstones pass
// their share (`maxTombstoneFraction`) and the rebuild starts; then the paced writes.
var victims = Array(stride(from: Int64(1), through: Int64(rows), by: 7))[...]
var deletions: [Double] = []
while !store.indexState.building && !victims.isEmpty {
    let ids = Array(victims.prefix(1_000))
    victims = victims.dropFirst(1_000)
    let t = Date()
    try store.delete(ids: ids)
    deletions.append(Date().timeIntervalSince(t))
}
say("deleted \(deletions.count * 1_000) rows in batches of 1,000 until the rebuild started: \(summary(deletions))")
var duringBuild: [Double] = [], afterInstall: [Double] = []
let buildStart = Date()
var buildSeconds = 0.0
clock = Date()
while true {
    let seconds = try pacedWrite()
    if store.indexState.building {
        duringBuild.append(seconds)
    } else {
        if buildSeconds == 0 { buildSeconds = Date().timeIntervalSince(buildStart) }
        afterInstall.append(seconds)
        if afterInstall.count * batch >= 1_000 { break }
    }
}
let state = store.indexState
say("compaction rebuild of \(state.factory) at \(state.vectors) vectors: \(String(format: "%.1f", buildSeconds)) s; "
    + "\(state.lastBuildReplayedItems) rows replayed at the install")
say("  writes of \(batch) rows during the build: \(summary(duringBuild))")
say("  writes after the install: \(summary(afterInstall))")
let all = duringCheckpoints + between + duringBuild + afterInstall
say("every timed write: \(summary(all)); over 100 ms: \(all.filter { $0 > 0.1 }.count)")
if let failure = state.maintenanceFailure { say("maintenance failure: \(failure)") }
try store.close(writingCheckpoint: false)
