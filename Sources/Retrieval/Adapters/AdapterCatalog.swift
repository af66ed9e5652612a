import Foundation
import Synchronization

/// The `adapters` table: which checkpoints were installed and which one is active per kind,
/// so a restart restores the set an operator activated through the admin API. Kinds are the
/// manifests' `kind` strings (this layer does not import Models).
public final class AdapterCatalog: @unchecked Sendable {
    /// What the service records about an activated checkpoint.
    public struct Record: Sendable, Equatable {
        public let kind: String
        public let name: String
        public let version: String
        public let baseModel: String
        public let sha256: String
        public let manifestJSON: String
        public let path: String

        public init(kind: String, name: String, version: String, baseModel: String, sha256: String, manifestJSON: String, path: String) {
            (self.kind, self.name, self.version, self.baseModel) = (kind, name, version, baseModel)
            (self.sha256, self.manifestJSON, self.path) = (sha256, manifestJSON, path)
        }
    }

    // SQLiteConnection is not Sendable: every use goes through `lock`.
    private let db: SQLiteConnection
    private let lock = Mutex(())

    /// Opens the collection's database in `directory` (migrating it like the store does).
    public init(directory: URL, catalog: MigrationCatalog? = nil) throws {
        db = try DataDirectory(root: directory, catalog: catalog).openDatabase().connection
    }

    /// Installs (or updates) the record and makes it the only active one of its kind, in one
    /// transaction: a crash leaves either the old or the new choice, never none or two.
    public func activate(_ record: Record) throws {
        try lock.withLock { _ in
            try db.transaction {
                try db.run("UPDATE adapters SET active = 0 WHERE kind = ? AND active = 1", [.text(record.kind)])
                try upsertActive(record)
            }
        }
    }

    /// Leaves `kind` with no active checkpoint (a domain adapter switched off): a restart then
    /// serves without one.
    public func deactivate(kind: String) throws {
        try lock.withLock { _ in
            try db.run("UPDATE adapters SET active = 0 WHERE kind = ? AND active = 1", [.text(kind)])
        }
    }

    /// The active checkpoint of `kind`, if one was ever activated.
    public func active(kind: String) throws -> Record? {
        try records(where: "kind = ? AND active = 1", [.text(kind)]).first
    }

    // MARK: - Kinds served side by side

    /// Records `record` as the installed checkpoint of its name within its kind, for kinds whose
    /// checkpoints serve side by side (learned prompts, one per name, picked per request):
    /// earlier versions of that name stop being restored, other names are untouched. One
    /// transaction, as `activate`.
    public func install(_ record: Record) throws {
        try lock.withLock { _ in
            try db.transaction {
                try db.run("UPDATE adapters SET active = 0 WHERE kind = ? AND name = ? AND active = 1",
                           [.text(record.kind), .text(record.name)])
                try upsertActive(record)
            }
        }
    }

    /// A checkpoint removed through the admin API stays in the history but is not restored.
    public func uninstall(kind: String, name: String) throws {
        try lock.withLock { _ in
            try db.run("UPDATE adapters SET active = 0 WHERE kind = ? AND name = ? AND active = 1", [.text(kind), .text(name)])
        }
    }

    /// Every checkpoint of `kind` a restart loads again, by name: the one active checkpoint of
    /// a kind that has one, every installed one of a kind served side by side.
    public func installed(kind: String) throws -> [Record] {
        try records(where: "kind = ? AND active = 1 ORDER BY name", [.text(kind)])
    }

    // MARK: - Helpers

    /// Caller holds `lock` inside a transaction.
    private func upsertActive(_ record: Record) throws {
        try db.run("""
            INSERT INTO adapters (kind, name, version, base_model, sha256, manifest, path, active)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (kind, name, version) DO UPDATE SET
                base_model = excluded.base_model, sha256 = excluded.sha256, manifest = excluded.manifest,
                path = excluded.path, active = 1
            """, [.text(record.kind), .text(record.name), .text(record.version), .text(record.baseModel),
                  .text(record.sha256), .text(record.manifestJSON), .text(record.path)])
    }

    private func records(where condition: String, _ parameters: [SQLiteValue]) throws -> [Record] {
        let rows = try lock.withLock { _ in
            try db.query("SELECT kind, name, version, base_model, sha256, manifest, path FROM adapters WHERE \(condition)",
                         parameters)
        }
        return rows.map { row in
            let text: (Int) -> String = { row[$0].text ?? "" }
            return Record(kind: text(0), name: text(1), version: text(2), baseModel: text(3), sha256: text(4),
                          manifestJSON: text(5), path: text(6))
        }
    }
}
