import Foundation
import JSON

/// A checkpoint's `adapter.json` as the admin API reads it outside a loader — to choose the
/// loader by `kind`, and to record the manifest that was loaded — under the loaders' rules: no
/// symbolic link, a regular file, at most `AdapterCheckpointFile.maximumManifestBytes`.
public enum AdapterManifestFile {
    /// The manifest's bytes as UTF-8 text.
    public static func text(directory: URL) throws(AdapterCheckpointError) -> String {
        String(decoding: try AdapterManifest.read(directory: directory), as: UTF8.self)
    }

    /// The `kind` the manifest declares; nil when it cannot be read, is not a JSON object or has
    /// no `kind` this server knows (the loader chosen then refuses it with the precise reason).
    public static func declaredKind(directory: URL) -> AdapterKind? {
        guard let data = try? AdapterManifest.read(directory: directory),
              case .object(let fields)? = try? JSONValue.parse(data, grammar: .python),
              case .string(let kind)? = fields["kind"]
        else { return nil }
        return AdapterKind(rawValue: kind)
    }
}
