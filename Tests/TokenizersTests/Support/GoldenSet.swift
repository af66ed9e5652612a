import Foundation

/// One test string of a golden set: a stable id, its category and the exact text (every scalar
/// preserved: the JSON escapes all non-ASCII).
struct GoldenCase: Decodable, Sendable {
    let id: String
    let category: String
    let text: String
}

/// The inputs of a golden set and one reference's ids for them, as written by
/// training/fixtures/make_tokenizer_goldens.py.
struct GoldenSet: Sendable {
    let cases: [GoldenCase]
    let expected: [String: [Int]]

    static func load(directory: URL, goldens: String = "goldens.json") throws -> GoldenSet {
        let cases = try JSONDecoder().decode(
            [GoldenCase].self, from: Data(contentsOf: directory.appendingPathComponent("inputs.json")))
        let expected = try JSONDecoder().decode(
            [String: [Int]].self, from: Data(contentsOf: directory.appendingPathComponent(goldens)))
        return GoldenSet(cases: cases, expected: expected)
    }

    var idsWithoutBaseline: [String] { cases.map(\.id).filter { expected[$0] == nil } }

    var baselinesWithoutInput: [String] {
        let ids = Set(cases.map(\.id))
        return expected.keys.filter { !ids.contains($0) }.sorted()
    }

    var duplicateIDs: [String] {
        Dictionary(grouping: cases, by: \.id).filter { $0.value.count > 1 }.keys.sorted()
    }
}

/// Compares every case against its baseline and explains the first few differences.
struct GoldenComparison {
    var checked = 0
    var mismatched: [String] = []
    var stillDivergent: [String] = []
    var nowMatching: [String] = []
    var report: [String] = []

    /// - Parameter knownDivergences: id -> why the reference cannot be matched there. Such a case
    ///   must still differ (so the list cannot go stale); every other case must be equal.
    init(set: GoldenSet, knownDivergences: [String: String], encode: (String) -> [Int]) {
        for golden in set.cases {
            guard let expected = set.expected[golden.id] else { continue }
            let actual = encode(golden.text)
            checked += 1
            if let reason = knownDivergences[golden.id] {
                if actual == expected { nowMatching.append("\(golden.id) (listed: \(reason))") } else {
                    stillDivergent.append(golden.id)
                }
                continue
            }
            if actual != expected {
                mismatched.append(golden.id)
                if report.count < 12 { report.append(Self.window(golden, expected: expected, actual: actual)) }
            }
        }
    }

    var summary: String {
        "\(checked) checked, \(mismatched.count) mismatched, \(stillDivergent.count) known divergences\n"
            + report.joined(separator: "\n")
    }

    /// The first diverging position with a few ids either side.
    static func window(_ golden: GoldenCase, expected: [Int], actual: [Int]) -> String {
        let first = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(expected.count, actual.count)
        let lower = max(0, first - 3)
        let escaped = golden.text.unicodeScalars.prefix(80)
            .map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
        return """
            [\(golden.id)] \(golden.category) "\(escaped)"
              first difference at \(first) (expected \(expected.count) ids, got \(actual.count))
              expected[\(lower)...]: \(expected[lower..<min(expected.count, first + 5)].map(String.init).joined(separator: " "))
              actual[\(lower)...]:   \(actual[lower..<min(actual.count, first + 5)].map(String.init).joined(separator: " "))
            """
    }
}
