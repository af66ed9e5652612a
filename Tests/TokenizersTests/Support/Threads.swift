import Foundation

/// Runs `body` on `count` operating-system threads started together and returns each one's
/// result in thread order. Real threads rather than tasks: Swift's cooperative pool has one
/// thread per core, so tasks on a two-core machine never preempt one another inside the cache.
func onThreads<Result: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> Result) -> [Result] {
    let results = ThreadResults<Result>(count: count)
    let start = DispatchSemaphore(value: 0)
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            start.wait()
            results.set(index, body(index))
            done.leave()
        }
        thread.start()
    }
    for _ in 0..<count { start.signal() }
    done.wait()
    return results.all
}

/// How many texts each of `workers` threads encoded differently from `expected`, all encoding at
/// once. Each worker starts at a different offset so different words meet in shared state, and
/// encodes a quarter of the texts, so every text is encoded by four workers.
func mismatchesEncodingOnThreads(
    _ workers: Int, texts: [String], expected: [[Int]], encode: @escaping @Sendable (String) -> [Int]
) -> [Int] {
    onThreads(workers) { worker in
        let offset = worker * texts.count / workers
        var wrong = 0
        for step in 0..<(texts.count / 4) {
            let index = (offset + step) % texts.count
            if encode(texts[index]) != expected[index] { wrong += 1 }
        }
        return wrong
    }
}

/// `mismatchesEncodingOnThreads` over every case of a golden set.
func mismatchesEncodingOnThreads(
    _ workers: Int, goldens: GoldenSet, encode: @escaping @Sendable (String) -> [Int]
) -> [Int] {
    mismatchesEncodingOnThreads(
        workers, texts: goldens.cases.map(\.text), expected: goldens.cases.map { goldens.expected[$0.id] ?? [] }, encode: encode)
}

/// `@unchecked Sendable`: every access to `values` holds `lock`.
private final class ThreadResults<Result: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result) { lock.withLock { values[index] = value } }

    var all: [Result] { lock.withLock { values.compactMap { $0 } } }
}
