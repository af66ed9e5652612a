import Foundation

/// Which model something is: the name its files declare plus the SHA-256 of its weights.
///
/// `id` ("name@<12 hex digits>") is what `/v1/models` lists, what requests may name as `model`
/// and what an index's embedding space is keyed by. It never depends on where the files lie: a
/// renamed or moved directory keeps its id (and its stored vectors), and two different models
/// that happen to share a directory name never share a space.
public struct ModelIdentity: Sendable, Hashable, CustomStringConvertible {
    /// As the files declare it (see `declaredName(config:)`).
    public let name: String
    /// SHA-256 of `model.safetensors`: 64 lower-case hex digits.
    public let digest: String

    /// Hex digits of the digest an id keeps (48 bits), as adapters' fingerprints do.
    public static let idDigits = AdapterIdentity.fingerprintDigits

    public init(name: String, digest: String) {
        (self.name, self.digest) = (name, digest)
    }

    public var id: String { "\(name)@\(digest.prefix(Self.idDigits))" }
    public var description: String { id }

    /// The identity of the Hugging Face directory `directory`: its declared name (or `name`
    /// when the caller knows better, e.g. the demo bundle's manifest) and the digest of its
    /// `model.safetensors`. Hashing reads the whole file once (libcrypto: about 2 GB/s).
    public static func of(directory: URL, name: String? = nil) throws -> ModelIdentity {
        let config = try ConfigReader.data(contentsOf: directory.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        return ModelIdentity(name: name ?? declaredName(config: config), digest: file.sha256())
    }

    /// The name a `config.json` declares: the converter's `adaptclip.name`, else the last path
    /// component of `_name_or_path` (what transformers records, e.g. "clip-vit-base-patch32"
    /// for "openai/clip-vit-base-patch32"), else the `model_type`; characters outside
    /// [A-Za-z0-9._-] become "-" so the id reads the same in URLs, metrics and logs.
    public static func declaredName(config: Data) -> String {
        let root = (try? JSONSerialization.jsonObject(with: config)) as? [String: Any] ?? [:]
        let converted = (root["adaptclip"] as? [String: Any])?["name"] as? String
        let recorded = (root["_name_or_path"] as? String)?
            .split(separator: "/", omittingEmptySubsequences: true).last.map(String.init)
        let candidates = [converted, recorded, root["model_type"] as? String, "model"]
        let name = candidates.lazy.compactMap { $0 }.map(sanitized).first { !$0.isEmpty } ?? "model"
        return name
    }

    private static func sanitized(_ text: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        let mapped = String(text.prefix(96).map { allowed.contains($0) ? $0 : "-" })
        return mapped.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
    }
}
