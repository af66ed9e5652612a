/// Waits until `condition` holds, for state the code under test exposes but does not signal
/// (a queue's depth, a server's connection count, a job's status over HTTP). Each check is
/// followed by a short pause so the poll leaves the CPU to the code it waits for. Whether a test
/// passes never depends on how long this takes: `ceiling` only turns "never" into a thrown error
/// instead of a hung run.
public func waitUntil(
    _ description: String, atMost ceiling: Duration = Gate.ceiling, pollingEvery interval: Duration = .milliseconds(1),
    _ condition: () async throws -> Bool
) async throws {
    let giveUp = ContinuousClock.now + ceiling
    while try await !condition() {
        guard ContinuousClock.now < giveUp else { throw ConditionNotReached(condition: description, ceiling: ceiling) }
        try await Task.sleep(for: interval)
    }
}

/// A condition `waitUntil` gave up on.
public struct ConditionNotReached: Error, CustomStringConvertible {
    public let condition: String
    public let ceiling: Duration
    public var description: String { "'\(condition)' did not hold within \(ceiling)" }
}
