import Testing

/// Expects a golden set's inputs and baselines to pair one to one, with at least `minimumCount` cases.
func expectOneBaselinePerInput(_ goldens: GoldenSet, minimumCount: Int) {
    #expect(goldens.cases.count >= minimumCount)
    #expect(goldens.idsWithoutBaseline.isEmpty, "inputs without baseline: \(goldens.idsWithoutBaseline)")
    #expect(goldens.baselinesWithoutInput.isEmpty, "baselines without input: \(goldens.baselinesWithoutInput)")
    #expect(goldens.duplicateIDs.isEmpty, "duplicate ids: \(goldens.duplicateIDs)")
}

/// Expects `encode` to give every baseline's ids except the listed divergences (which must
/// still differ), and prints the figure under `label`.
func expectEveryGoldenMatches(
    _ goldens: GoldenSet, knownDivergences: [String: String], label: String, encode: (String) -> [Int]
) {
    let comparison = GoldenComparison(set: goldens, knownDivergences: knownDivergences, encode: encode)
    print("\(label) goldens: \(comparison.summary)")
    #expect(comparison.checked == goldens.cases.count)
    #expect(comparison.mismatched.isEmpty, "\(comparison.summary)")
    #expect(comparison.nowMatching.isEmpty, "listed divergences now match: \(comparison.nowMatching)")
}
