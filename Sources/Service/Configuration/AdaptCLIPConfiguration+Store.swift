import PostgresStore

/// The `store.*` keys: which store holds the collection, and how the shared PostgreSQL store is
/// reached. The URL is parsed when the configuration loads, so a malformed one stops start-up
/// with the part at fault named; its password is kept out of every text this type makes.
public struct StoreSettings: Sendable {
    public enum Backend: String, Sendable {
        /// SQLite + FAISS in `data_dir`: one process owns the collection.
        case sqlite
        /// PostgreSQL + pgvector at `store.postgres.url`: any number of replicas share it.
        case postgres
    }

    public var backend: Backend
    /// Parsed `store.postgres.url`; nil when the key is empty (then `backend` is `.sqlite`:
    /// `ConfigurationLoader` refuses postgres without a URL).
    public var postgresURL: PostgresURL?
    public var poolLimits: PostgresPoolLimits
    public var indexSettings: PostgresIndexSettings

    static let defaultPoolLimits = PostgresPoolLimits()

    /// The key's check: empty, or a URL `PostgresURL` accepts. The reason names the part at
    /// fault (never the password: `PostgresURL`'s errors do not carry it).
    @Sendable static func checkURL(_ value: ConfigValue) -> String? {
        guard case .string(let text) = value, !text.isEmpty else { return nil }
        do {
            _ = try PostgresURL(text)
            return nil
        } catch PostgresStoreError.invalidURL(let reason) {
            return reason
        } catch {
            return "not a usable PostgreSQL URL"
        }
    }

    /// How `description` and `--print-config` show a URL: without its password.
    static func shown(url text: String) -> String {
        text.isEmpty ? "" : (try? PostgresURL(text).description) ?? "(set, unparseable)"
    }
}

extension AdaptCLIPConfiguration {
    /// The resolved `store.*` keys (validated by their checks when loaded).
    public var store: StoreSettings {
        func string(_ key: String) -> String { if case .string(let v) = values[key] { v } else { "" } }
        func int(_ key: String, _ fallback: Int) -> Int { if case .int(let v) = values[key] { v } else { fallback } }
        func seconds(_ key: String, _ fallback: Duration) -> Duration {
            if case .double(let v) = values[key] { .milliseconds(Int64(v * 1000)) } else { fallback }
        }
        let defaults = StoreSettings.defaultPoolLimits
        let url = string("store.postgres.url")
        return StoreSettings(
            backend: StoreSettings.Backend(rawValue: string("store.backend")) ?? .sqlite,
            postgresURL: url.isEmpty ? nil : try? PostgresURL(url, defaultPassword: postgresPassword),
            poolLimits: PostgresPoolLimits(
                maxConnections: int("store.postgres.max_connections", defaults.maxConnections),
                acquireTimeout: seconds("store.postgres.acquire_timeout_seconds", defaults.acquireTimeout),
                statementTimeout: seconds("store.postgres.statement_timeout_seconds", defaults.statementTimeout)),
            indexSettings: PostgresIndexSettings(efSearch: int("store.postgres.ef_search", PostgresIndexSettings().efSearch)))
    }
}

extension Duration {
    /// The whole seconds of a duration, as a configuration default is written.
    var wholeSeconds: Double { Double(components.seconds) }
}
