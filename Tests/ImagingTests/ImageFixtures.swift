import Foundation
import Imaging
import TestSupport

/// The committed fixtures of `training/fixtures/make_image_fixtures.py`.
enum ImageFixtures {
    struct Entry: Decodable, Sendable {
        let id: String
        let file: String
        let category: String
        let pil_mode: String
        let config: String
        let rgb_size: [Int]
        let shape: [Int]
        let golden: String
        let decoded: String?
    }

    private struct Index: Decodable { let images: [Entry] }

    static let directory = RepositoryPaths.fixture("images")

    static func entries() throws -> [Entry] {
        let data = try Data(contentsOf: directory.appendingPathComponent("index.json"))
        return try JSONDecoder().decode(Index.self, from: data).images
    }

    static func bytes(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    static func config(_ name: String) throws -> CLIPPreprocessorConfig {
        try CLIPPreprocessorConfig(contentsOf: directory.appendingPathComponent("configs/\(name)/preprocessor_config.json"))
    }

    /// A little-endian float16 file as Float.
    static func float16s(_ relativePath: String) throws -> [Float] {
        let data = try bytes(relativePath)
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { i in
                Float(Float16(bitPattern: UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8))
            }
        }
    }
}
