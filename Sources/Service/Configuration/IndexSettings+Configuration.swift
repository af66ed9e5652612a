import Foundation
import Retrieval

extension AdaptCLIPConfiguration {
    /// The vector index settings from the `index.*` keys.
    public var indexSettings: IndexSettings {
        var settings = IndexSettings()
        if case .int(let v) = values["index.flat_limit"] { settings.flatLimit = v }
        if case .string(let v) = values["index.approximate_factory"] { settings.approximateFactory = v }
        if case .int(let v) = values["index.nprobe"] { settings.nprobe = v }
        if case .int(let v) = values["index.ef_search"] { settings.efSearch = v }
        if case .int(let v) = values["index.checkpoint_every_rows"] { settings.checkpointEveryRows = v }
        return settings
    }
}

extension AdaptCLIPConfiguration {
    /// `data_dir` with the `index.*` settings: what `serve` and the CLI commands open.
    public var storage: DataDirectory {
        DataDirectory(root: URL(fileURLWithPath: dataDirectory), settings: indexSettings)
    }
}
