import Engine
import Foundation

/// One text and one image through the engine before the service reports ready, so that the
/// first user's request does not pay for what a first pass does once (the batchers' and
/// pools' threads, lazily packed weights, the decoders' tables) and a model that cannot embed
/// fails the start instead of every request.
enum ModelWarmUp {
    /// A 16×16 mid-grey RGB PNG: decodable by every build, and too small to cost anything.
    static let image = Data(base64Encoded: pngBase64)!
    private static let pngBase64 = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFElEQVR42mNoIBEwjGoY1TB8NQAAJYSAELxv8c8AAAAASUVORK5CYII="

    static func run(_ engine: EmbeddingEngine, within budget: Duration = .seconds(600)) async throws {
        let deadline = ContinuousClock.now + budget
        _ = try await engine.embedTexts(["warm up"], language: .en, deadline: deadline)
        _ = try await engine.embedImages([image], deadline: deadline)
    }
}
