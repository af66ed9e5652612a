/// A rate limit of `perMinute` requests with bursts up to `perMinute`: tokens refill evenly
/// (one every 60/perMinute seconds) up to that capacity, and each request takes one.
/// A value type; the caller serialises access (`APIKeyGate` holds its buckets under a lock).
struct TokenBucket: Sendable {
    let capacity: Double
    /// Tokens added per second.
    let refillPerSecond: Double
    private(set) var tokens: Double
    private var updated: ContinuousClock.Instant

    init(perMinute: Int, now: ContinuousClock.Instant) {
        capacity = Double(perMinute)
        refillPerSecond = Double(perMinute) / 60
        tokens = capacity
        updated = now
    }

    /// Takes a token if one is there; otherwise returns the whole seconds until one will be
    /// (the `Retry-After` value), at least 1.
    mutating func take(now: ContinuousClock.Instant) -> Int? {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + max(0, seconds) * refillPerSecond)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / refillPerSecond).rounded(.up)))
    }
}
