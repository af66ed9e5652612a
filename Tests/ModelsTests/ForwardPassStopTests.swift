import Foundation
import Synchronization
import Testing
@testable import Models

/// A pass asks `shouldStop` before every layer and gives up at the first true: a batch whose
/// requests have all passed their deadline stops between layers instead of running to the end.
@Suite struct ForwardPassStopTests {
    /// Answers false `allowed` times, then true; counts the questions.
    final class StopAfter: Sendable {
        private let asked = Mutex(0)
        let allowed: Int
        init(_ allowed: Int) { self.allowed = allowed }
        var count: Int { asked.withLock { $0 } }
        func callAsFunction() -> Bool { asked.withLock { $0 += 1; return $0 > allowed } }
    }

    @Test func imageAndTextPassesStopBetweenLayers() throws {
        let model = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"))
        let layers = model.configuration.vision.numHiddenLayers
        let size = model.configuration.vision.imageSize
        let pixels = [Float](repeating: 0.1, count: 2 * 3 * size * size)
        let stop = StopAfter(1)
        #expect(throws: ModelError.stopped) { try model.encodeImages(pixels: pixels, count: 2, shouldStop: { stop() }) }
        #expect(stop.count == 2, "asked once per layer until the first true (\(layers) layers)")

        let never = StopAfter(.max)
        _ = try model.encodeImages(pixels: pixels, count: 2, shouldStop: { never() })
        #expect(never.count == layers)

        let textStop = StopAfter(0)
        #expect(throws: ModelError.stopped) { try model.encodeTexts(tokenIDs: [[1, 2, 3]], shouldStop: { textStop() }) }
        #expect(textStop.count == 1)
    }
}
