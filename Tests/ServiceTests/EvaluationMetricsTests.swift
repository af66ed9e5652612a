import Testing
@testable import Service

@Suite struct EvaluationMetricsTests {
    @Test func recallCountsTheRankOfEachCaptionsOwnImage() {
        // Three images along the axes; caption 0 points at image 0, caption 1 between images 1
        // and 2 but closer to 2 (rank 2), caption 2 at image 2.
        let gallery: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        let queries: [[Float]] = [[1, 0, 0], [0, 0.6, 0.8], [0, 0, 1]]
        let m = RetrievalMetrics.compute(queries: queries, gallery: gallery)
        #expect(m.recallAt1 == 2.0 / 3)
        #expect(m.recallAt5 == 1)
        #expect(m.recallAt10 == 1)
        #expect(abs(m.meanRecall - (2.0 / 3 + 1 + 1) / 3) < 1e-12)
    }

    @Test func tiesDoNotPushTheRightImageDown() {
        let gallery: [[Float]] = [[1, 0], [1, 0]]
        let m = RetrievalMetrics.compute(queries: [[1, 0], [1, 0]], gallery: gallery)
        #expect(m.recallAt1 == 1)
    }

    @Test func zeroShotAccuracySkipsScenesWithoutASingleAnswer() {
        let prompts: [[Float]] = [[1, 0], [0, 1]]
        let images: [[Float]] = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.5, 0.5]]
        let truth: [Int?] = [0, 1, 1, nil]
        #expect(ZeroShotAccuracy.compute(images: images, truth: truth, prompts: prompts) == 2.0 / 3)
    }

    @Test func boundsNameEveryFigureBelowNinetyFivePercentOfEnglish() {
        var evaluation = Evaluation()
        evaluation.zeroShot = ["en": ["shape": 0.8, "colour": 1.0], "zh": ["shape": 0.79, "colour": 0.9]]
        evaluation.retrieval = [
            "en": RetrievalMetrics(recallAt1: 0.3, recallAt5: 0.6, recallAt10: 0.9),
            "zh": RetrievalMetrics(recallAt1: 0.3, recallAt5: 0.6, recallAt10: 0.85),
        ]
        let violations = evaluation.violations()
        #expect(violations.count == 1)
        #expect(violations.first?.contains("colour") == true)
    }
}
