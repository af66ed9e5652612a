import Foundation
import PostgresNIO

/// A libpq-style connection URL, `postgres://user:password@host:port/database?sslmode=…`, parsed
/// into PostgresNIO's configuration. The parameters mean what they mean to libpq, so an operator's
/// existing URL works unchanged:
///
/// - `sslmode`: `disable`; `prefer` (the default: TLS when the server offers it, certificate not
///   checked); `require` (TLS, certificate not checked); `verify-ca` (chain checked, not the host
///   name); `verify-full` (both).
/// - `sslrootcert`: a PEM file of trusted roots for the verify modes (else the system's).
/// - `host`: a Unix-socket directory (`postgres:///db?host=/var/run/postgresql`).
/// - `connect_timeout`: seconds (default 10).
///
/// Any other parameter is refused rather than ignored: a typo must not silently weaken TLS.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public let configuration: PostgresConnection.Configuration
    /// The URL without its password, for logs and error messages.
    public let description: String

    /// `defaultPassword`: used when the URL has none (the CLI passes PGPASSWORD, as libpq does).
    public init(_ text: String, defaultPassword: String? = nil) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresStoreError.invalidURL("expected postgres://user[:password]@host[:port]/database[?sslmode=…]")
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard Self.knownParameters.contains(item.name) else {
                throw PostgresStoreError.invalidURL("unknown parameter '\(item.name)' (known: \(Self.knownParameters.sorted().joined(separator: ", ")))")
            }
            parameters[item.name] = item.value ?? ""
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding } ?? defaultPassword
        let pathDatabase = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        let database = pathDatabase.isEmpty ? user : pathDatabase
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresStoreError.invalidURL("port \(port) is out of range") }

        var configuration: PostgresConnection.Configuration
        if let socketDirectory = parameters["host"], socketDirectory.hasPrefix("/") {
            configuration = .init(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw PostgresStoreError.invalidURL("no host") }
            let tls = try Self.tls(mode: parameters["sslmode"] ?? "prefer", rootCertificates: parameters["sslrootcert"])
            configuration = .init(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port,
                                  username: user, password: password, database: database, tls: tls)
        }
        if let timeout = parameters["connect_timeout"] {
            guard let seconds = Int(timeout), seconds > 0, seconds <= 3_600 else {
                throw PostgresStoreError.invalidURL("connect_timeout must be 1 to 3600 seconds, got '\(timeout)'")
            }
            configuration.options.connectTimeout = .seconds(Int64(seconds))
        }
        self.configuration = configuration
        var shown = components
        if shown.password != nil { shown.password = "***" }
        description = shown.string ?? "postgres://…"
    }

    static let knownParameters: Set<String> = ["sslmode", "sslrootcert", "host", "connect_timeout"]

    private static func tls(mode: String, rootCertificates: String?) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificates { tls.trustRoots = .file(rootCertificates) }
        switch mode {
        case "disable":
            return .disable
        case "prefer", "require":
            tls.certificateVerification = .none
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
        case "verify-full":
            tls.certificateVerification = .fullVerification
        default:
            throw PostgresStoreError.invalidURL("sslmode must be disable, prefer, require, verify-ca or verify-full, got '\(mode)'")
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw PostgresStoreError.invalidURL("TLS setup failed: \(error)")
        }
        return mode == "prefer" ? .prefer(context) : .require(context)
    }
}
