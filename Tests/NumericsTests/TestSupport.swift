import Testing

/// Deterministic values in [-scale, scale) from a 64-bit LCG, so every run sees the same inputs.
func seededValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
}

/// Max abs difference and the first index where it exceeds `tolerance`, for failure messages.
func compare(_ actual: [Float], _ expected: [Double], tolerance: Double) -> (maxAbs: Double, report: String) {
    var maxAbs = 0.0
    var firstBad: Int?
    for i in 0..<min(actual.count, expected.count) {
        let d = abs(Double(actual[i]) - expected[i])
        maxAbs = max(maxAbs, d)
        if d > tolerance, firstBad == nil { firstBad = i }
    }
    var report = "max abs diff \(maxAbs) (tolerance \(tolerance), \(actual.count) vs \(expected.count) values)"
    if let i = firstBad {
        let window = i..<min(i + 4, actual.count, expected.count)
        report += "; first diverging at \(i): actual \(window.map { actual[$0] }) expected \(window.map { expected[$0] })"
    }
    return (maxAbs, report)
}

func expectClose(_ actual: [Float], _ expected: [Double], tolerance: Double, _ what: String) {
    let (maxAbs, report) = compare(actual, expected, tolerance: tolerance)
    #expect(actual.count == expected.count && maxAbs <= tolerance, "\(what): \(report)")
}
