import Foundation

/// `goldens.json` of Tests/Fixtures/published/<shape>, written by the published-checkpoint fixture
/// script: transformers' raw features (not normalised) of each text, and for Chinese-CLIP of
/// each image from `ChineseCLIPImageProcessor`'s pixels.
public struct PublishedGoldenFile: Decodable, Sendable {
    public struct Text: Decodable, Sendable {
        public let text: String
        public let token_ids: [Int]
        public let features_f32: String
    }

    public struct Image: Decodable, Sendable {
        public let file: String
        public let pixel_shape: [Int]
        public let pixels_f32: String
        public let features_f32: String
    }

    public let transformers: String
    public let dimension: Int
    public let texts: [Text]
    public let images: [Image]

    public static func load(_ shape: String) throws -> PublishedGoldenFile {
        try JSONDecoder().decode(
            PublishedGoldenFile.self, from: Data(contentsOf: publishedFixture(shape).appendingPathComponent("goldens.json")))
    }

    /// Every text's features, row after row.
    public func textFeatures() throws -> [Float] { try texts.flatMap { try $0.features() } }

    public func imageFeatures() throws -> [Float] { try images.flatMap { try $0.features() } }

    public func pixels() throws -> [Float] { try images.flatMap { try Self.floats($0.pixels_f32) } }

    static func floats(_ base64: String) throws -> [Float] {
        guard let values = decodeFloats(base64: base64) else { throw CocoaError(.coderInvalidValue) }
        return values
    }
}

public func publishedFixture(_ shape: String) -> URL {
    RepositoryPaths.fixture("published/\(shape)")
}

/// Little-endian float32s from base64 (the goldens' `*_f32` fields); nil when malformed.
public func decodeFloats(base64 text: String) -> [Float]? {
    guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}

extension PublishedGoldenFile.Text {
    /// This text's features as transformers computed them (not normalised).
    public func features() throws -> [Float] { try PublishedGoldenFile.floats(features_f32) }
}

extension PublishedGoldenFile.Image {
    public func features() throws -> [Float] { try PublishedGoldenFile.floats(features_f32) }
}
