import Synchronization
import TestSupport

/// Hot-swap under load: `clients` tasks send requests until the swapper has made all its swaps
/// (and at least `minimumPerClient` each), so requests span every swap however fast or slow the
/// machine is at the moment. The swapper swaps again only once a request sent after its last
/// swap was answered: the one request in flight per client ends first, so `clients + 1` more
/// answers hold one.
enum RequestsAcrossSwaps {
    /// One client's answer to its `attempt`-th request.
    struct Answer<Value: Sendable>: Sendable {
        let client: Int
        let attempt: Int
        let value: Value
    }

    static func run<Value: Sendable>(
        clients: Int, minimumPerClient: Int, swaps: Int,
        request: @escaping @Sendable (_ client: Int, _ attempt: Int) async throws -> Value,
        swap: @escaping @Sendable (_ number: Int) async throws -> Void
    ) async throws -> [Answer<Value>] {
        let progress = SwapsDone()
        return try await withThrowingTaskGroup(of: [Answer<Value>].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var answers: [Answer<Value>] = []
                    var attempt = 0
                    while attempt < minimumPerClient || !progress.flag.load(ordering: .acquiring) {
                        answers.append(Answer(client: client, attempt: attempt, value: try await request(client, attempt)))
                        progress.answers.add(1, ordering: .releasing)
                        attempt += 1
                    }
                    return answers
                }
            }
            group.addTask {
                for number in 0..<swaps {
                    try await swap(number)
                    let before = progress.answers.load(ordering: .acquiring)
                    try await waitUntil("a request answered after swap \(number)") {
                        progress.answers.load(ordering: .acquiring) >= before + clients + 1
                    }
                }
                progress.flag.store(true, ordering: .releasing)
                return []
            }
            var all: [Answer<Value>] = []
            for try await part in group { all += part }
            return all
        }
    }
}

/// Set once the swapper has made its last swap; `answers` counts the clients' answers.
final class SwapsDone: Sendable {
    let flag = Atomic<Bool>(false)
    let answers = Atomic<Int>(0)
}
