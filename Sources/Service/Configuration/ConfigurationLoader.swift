import Foundation
import JSON

/// Resolves configuration with the precedence defaults < file < environment < flags.
/// Every layer is checked against the registry: unknown keys and bad values stop start-up.
public struct ConfigurationLoader: Sendable {
    public var fileURL: URL?
    public var environment: [String: String]
    /// Flag overrides by dotted key, as typed on the command line.
    public var overrides: [String: String]

    public init(fileURL: URL? = nil, environment: [String: String] = [:], overrides: [String: String] = [:]) {
        self.fileURL = fileURL
        self.environment = environment
        self.overrides = overrides
    }

    public func load() throws -> AdaptCLIPConfiguration {
        var values = Dictionary(uniqueKeysWithValues: ConfigRegistry.keys.map { ($0.path, $0.defaultValue) })

        let file = fileURL ?? environment[ConfigRegistry.configFileVariable].map { URL(fileURLWithPath: $0) }
        if let file {
            for (path, value) in try Self.readFile(file) {
                values[path] = try Self.validated(value, for: path, source: file.path)
            }
        }

        let known = Dictionary(uniqueKeysWithValues: ConfigRegistry.keys.map { ($0.environmentName, $0) })
        let links = serviceLinks
        for (name, text) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("ADAPTCLIP_") {
            if name == ConfigRegistry.adminTokenVariable || name == ConfigRegistry.configFileVariable { continue }
            guard let key = known[name] else {
                if links.isServiceLink(name) { continue }
                throw ConfigurationError.unknownKey(key: name, source: "the environment")
            }
            if links.isServiceLink(name) {
                // A Service named after one of our keys (`adaptclip-server` → ADAPTCLIP_SERVER_PORT):
                // neither reading the address as the setting nor dropping the setting is safe.
                throw ConfigurationError.invalidValue(
                    key: key.path, source: "environment variable \(name)",
                    reason: "\"\(text)\" is the variable Kubernetes injects for a Service of that name; "
                        + "set enableServiceLinks: false in the pod spec or rename the Service")
            }
            values[key.path] = try Self.parsed(text, for: key, source: "environment variable \(name)")
        }

        for (path, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = ConfigRegistry.byPath[path] else {
                throw ConfigurationError.unknownKey(key: path, source: "command-line flags")
            }
            values[path] = try Self.parsed(text, for: key, source: "command-line flags")
        }

        try Self.requirePostgresURL(values)
        let token = environment[ConfigRegistry.adminTokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        var configuration = AdaptCLIPConfiguration(values: values, adminToken: token)
        // As libpq and `adaptclip migrate` do: a store URL without a password takes PGPASSWORD.
        configuration.postgresPassword = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        return configuration
    }

    /// The variables of the environment that are Kubernetes' service links for a Service named
    /// `adaptclip` or `adaptclip-…` (`ADAPTCLIP_PORT=tcp://10.96.0.12:80` and its siblings):
    /// `load` skips them; the caller may log them once logging is set up.
    public var ignoredServiceLinks: [String] {
        let links = serviceLinks
        let known = Set(ConfigRegistry.keys.map(\.environmentName))
        return environment.keys.filter { $0.hasPrefix("ADAPTCLIP_") && !known.contains($0) && links.isServiceLink($0) }.sorted()
    }

    private var serviceLinks: KubernetesServiceLinks { KubernetesServiceLinks(environment: environment, prefix: "ADAPTCLIP") }

    private static func parsed(_ text: String, for key: ConfigKey, source: String) throws -> ConfigValue {
        guard let value = key.parse(text) else {
            throw ConfigurationError.invalidValue(
                key: key.path, source: source, reason: "expected \(key.defaultValue.kind.rawValue), got \"\(text)\"")
        }
        return try validated(value, for: key.path, source: source)
    }

    private static func validated(_ value: ConfigValue, for path: String, source: String) throws -> ConfigValue {
        guard let key = ConfigRegistry.byPath[path] else {
            throw ConfigurationError.unknownKey(key: path, source: source)
        }
        guard let coerced = key.coerce(value) else {
            throw ConfigurationError.invalidValue(
                key: path, source: source,
                reason: "expected \(key.defaultValue.kind.rawValue), got \(value.kind.rawValue) \(value)")
        }
        if let reason = key.check(coerced) {
            throw ConfigurationError.invalidValue(key: path, source: source, reason: reason)
        }
        return coerced
    }

    /// Reads a JSON object and flattens nested objects into dotted paths.
    /// The shared store cannot be guessed: postgres without a URL stops start-up, naming both
    /// ways to give one.
    private static func requirePostgresURL(_ values: [String: ConfigValue]) throws {
        guard values["store.backend"] == .string("postgres"), values["store.postgres.url"] == .string("") else { return }
        throw ConfigurationError.invalidValue(
            key: "store.postgres.url", source: "the resolved configuration",
            reason: "store.backend is \"postgres\" but no URL is set (ADAPTCLIP_STORE_POSTGRES_URL or store.postgres.url, "
                + "postgres://user:password@host:port/database)")
    }

    static func readFile(_ url: URL) throws -> [(String, ConfigValue)] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigurationError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw ConfigurationError.unreadableFile(path: url.path, reason: "not valid JSON (\(error))")
        }
        guard case .object = root else {
            throw ConfigurationError.unreadableFile(path: url.path, reason: "the top level must be a JSON object")
        }
        var out: [(String, ConfigValue)] = []
        try flatten(root, prefix: "", into: &out, source: url.path)
        return out
    }

    private static func flatten(_ node: JSONValue, prefix: String, into out: inout [(String, ConfigValue)], source: String) throws {
        switch node {
        case .object(let members):
            for (name, child) in members.sorted(by: { $0.key < $1.key }) {
                let path = prefix.isEmpty ? name : "\(prefix).\(name)"
                // "$comment" keys let a config file carry notes, as JSON has no comments.
                if name.hasPrefix("$") { continue }
                try flatten(child, prefix: path, into: &out, source: source)
            }
        case .bool(let b): out.append((prefix, .bool(b)))
        case .integer(let i): out.append((prefix, .int(i)))
        // A whole number written as 8080.0 is an integer, as JSON Schema reads it.
        case .number(let d): out.append((prefix, node.integralValue.map { .int($0) } ?? .double(d)))
        case .string(let s): out.append((prefix, .string(s)))
        case .array(let items) where ConfigRegistry.byPath[prefix]?.defaultValue.kind == .list:
            out.append((prefix, .list(items)))
        case .null, .array:
            guard ConfigRegistry.byPath[prefix] != nil else {
                throw ConfigurationError.unknownKey(key: prefix, source: source)
            }
            throw ConfigurationError.invalidValue(
                key: prefix, source: source, reason: "\(node.typeDescription) is not a valid value")
        }
    }
}
