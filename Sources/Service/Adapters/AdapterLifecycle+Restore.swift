import Engine
import Foundation
import Logging
import Models
import Retrieval

extension AdapterLifecycle {
    /// Registers what the engine already serves — checkpoints activated from the configuration
    /// before the service started — as loaded from `path`.
    func adoptServing(_ kind: AdapterKind, path: String) {
        for adapter in kind.served.serving(in: engine) {
            registry.add(AdapterRegistry.Entry(adapter: adapter, path: path, loadedAt: Date()))
        }
    }

    /// Loads and activates again every checkpoint the adapters table says was serving at the
    /// last stop, of every kind: the operator's last choice wins over the configured one. Runs
    /// before the collection opens, since a vision-side domain adapter decides which embedding
    /// space it serves. A checkpoint that can no longer be loaded (moved, made for another
    /// model) or whose weights changed on disk is skipped with a warning: what serves instead is
    /// the configured one, or none.
    func restoreInstalled() {
        guard let catalog else { return }
        for kind in AdapterKind.allCases {
            let records: [AdapterCatalog.Record]
            do {
                records = try catalog.installed(kind: kind.rawValue)
            } catch {
                logger.warning("could not read the installed adapters", metadata: [
                    "kind": "\(kind.rawValue)", "error": "\(LogText.bounded(error))",
                ])
                continue
            }
            for record in records { restore(record, as: kind.served) }
        }
    }

    private func restore(_ record: AdapterCatalog.Record, as type: any ServedAdapter.Type) {
        let recorded = AdapterIdentity(name: record.name, version: record.version, digest: record.sha256)
        let metadata: Logger.Metadata = ["kind": "\(record.kind)", "adapter": "\(recorded)", "path": "\(record.path)"]
        // Already serving (the configured checkpoint is the one recorded): nothing to switch.
        if type.serving(in: engine).contains(where: { $0.identity == recorded }) { return }
        let adapter: any ServedAdapter
        do {
            adapter = try type.load(directory: URL(fileURLWithPath: record.path), engine: engine)
        } catch {
            logger.warning("could not restore an installed adapter; it is not served", metadata: metadata.merging(
                ["error": "\(LogText.bounded(error))"]) { $1 })
            return
        }
        // Another checkpoint written over the same directory is not what the operator activated.
        guard adapter.identity == recorded else {
            logger.warning("an installed adapter changed on disk; it is not served", metadata: metadata.merging(
                ["found": "\(adapter.identity.fingerprint)", "installed": "\(recorded.fingerprint)"]) { $1 })
            return
        }
        registry.add(AdapterRegistry.Entry(adapter: adapter, path: record.path, loadedAt: Date()))
        _ = adapter.activate(in: engine)
        logger.notice("restored an installed adapter", metadata: metadata)
    }
}
