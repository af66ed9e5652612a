import Foundation

/// `goldens.json` written by training/fixtures/make_clip_fixtures.py.
struct GoldenFile: Decodable {
    struct Images: Decodable {
        let pixel_shape: [Int]
        let pixels_f32: String
        let embed_shape: [Int]
        let image_embeds_f32: String
    }

    struct TextBatch: Decodable {
        let name: String
        let token_ids: [[Int]]
        let embed_shape: [Int]
        let text_embeds_f32: String
    }

    let shape: String
    let images: Images
    let texts: [TextBatch]
    let logit_scale: Double

    static func load(_ shape: String) throws -> GoldenFile {
        let data = try Data(contentsOf: clipFixture(shape).appendingPathComponent("goldens.json"))
        return try JSONDecoder().decode(GoldenFile.self, from: data)
    }
}
