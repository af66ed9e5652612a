import Foundation

/// What a converted published checkpoint declares about itself: the `adaptclip` object that
/// `training/convert_checkpoint.py` adds to config.json (transformers ignores it).
///
///     "adaptclip": {"format": "taiyi-clip", "name": "Taiyi-CLIP-Roberta-102M-Chinese",
///                   "languages": ["zh"], "projection_dim": 512}
public struct PublishedModelInfo: Sendable, Equatable {
    public var format: PublishedFormat
    /// The declared name (the identity's readable half).
    public var name: String
    /// Language codes the model serves text in, e.g. ["zh"] or ["zh", "en"].
    public var languages: [String]
    /// The width of the features it produces (the CLIP text space it was trained into).
    public var projectionDim: Int

    public init(format: PublishedFormat, name: String, languages: [String], projectionDim: Int) {
        self.format = format
        self.name = name
        self.languages = languages
        self.projectionDim = projectionDim
    }

    /// The key of config.json holding the block.
    public static let key = "adaptclip"

    /// The block of `directory/config.json`; nil when the file has none (a directory the
    /// converter did not write). Errors name the key at fault (`adaptclip.languages`).
    public static func read(directory: URL) throws -> PublishedModelInfo? {
        try read(json: try ConfigReader.data(contentsOf: directory.appendingPathComponent("config.json")))
    }

    public static func read(json data: Data) throws -> PublishedModelInfo? {
        let root = try ConfigReader.root(data)
        guard let value = root.object[key], !(value is NSNull) else { return nil }
        let block = try root.nested(key)
        let formatName = try block.string("format", default: nil)
        guard let formatName, let format = PublishedFormat(rawValue: formatName) else {
            throw ModelError.invalidConfig(
                key: block.path("format"),
                reason: "\(formatName.map { "\"\($0)\"" } ?? "nothing") is not a known format (known: \(PublishedFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let name = try block.string("name", default: nil), !name.isEmpty else {
            throw ModelError.invalidConfig(key: block.path("name"), reason: "must be a non-empty string")
        }
        guard let languages = block.object["languages"] as? [String], !languages.isEmpty, !languages.contains(where: \.isEmpty) else {
            throw ModelError.invalidConfig(key: block.path("languages"), reason: "must be a non-empty list of language codes")
        }
        guard block.object["projection_dim"] != nil else {
            throw ModelError.invalidConfig(key: block.path("projection_dim"), reason: "is missing")
        }
        let projectionDim = try block.positiveInt("projection_dim", default: 0)
        return PublishedModelInfo(format: format, name: name, languages: languages, projectionDim: projectionDim)
    }
}
