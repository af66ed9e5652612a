import Foundation
import TestSupport

/// `goldens.json` of Tests/Fixtures/published/<shape>, written by the published-checkpoint fixture
/// script: transformers' raw features (not normalised) of each text, and for Chinese-CLIP of
/// each image from `ChineseCLIPImageProcessor`'s pixels.
struct PublishedGoldenFile: Decodable {
    struct Text: Decodable {
        let text: String
        let token_ids: [Int]
        let features_f32: String
    }

    struct Image: Decodable {
        let file: String
        let pixel_shape: [Int]
        let pixels_f32: String
        let features_f32: String
    }

    let transformers: String
    let dimension: Int
    let texts: [Text]
    let images: [Image]

    static func load(_ shape: String) throws -> PublishedGoldenFile {
        try JSONDecoder().decode(
            PublishedGoldenFile.self, from: Data(contentsOf: publishedFixture(shape).appendingPathComponent("goldens.json")))
    }

    /// Every text's features, row after row.
    func textFeatures() throws -> [Float] { try texts.flatMap { try floats($0.features_f32) } }

    func imageFeatures() throws -> [Float] { try images.flatMap { try floats($0.features_f32) } }

    func pixels() throws -> [Float] { try images.flatMap { try floats($0.pixels_f32) } }

    private func floats(_ base64: String) throws -> [Float] {
        guard let values = decodeFloats(base64: base64) else { throw CocoaError(.coderInvalidValue) }
        return values
    }
}

func publishedFixture(_ shape: String) -> URL {
    RepositoryPaths.fixture("published/\(shape)")
}
