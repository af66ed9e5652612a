import ArgumentParser
import Foundation
import PostgresStore
import Retrieval
import Service

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations and print the schema version.",
        discussion: """
            Without --postgres: the SQLite database of the data directory. With --postgres URL: the \
            shared PostgreSQL database (migrations/postgres; needs the pgvector extension, which the \
            first migration creates when the role may). Replicas starting at once are safe: the run \
            holds an advisory lock. A URL without a password takes PGPASSWORD from the environment, \
            as libpq does, so the password need not appear in the process list.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "postgres://user@host:port/database?sslmode=… — migrate this PostgreSQL database instead.")
    var postgres: String?

    func run() async throws {
        struct Report: Encodable { let database: String; let previousVersion: Int; let currentVersion: Int; let applied: [String] }
        if let postgres {
            let url: PostgresURL
            do {
                url = try PostgresURL(postgres, defaultPassword: ProcessInfo.processInfo.environment["PGPASSWORD"])
            } catch let error as PostgresStoreError {
                throw ValidationError(error.description)
            }
            let pool = BlockingPostgresPool(url: url, limits: PostgresPoolLimits(maxConnections: 1))
            defer { pool.close() }
            let outcome: PostgresMigrator.Outcome
            do {
                outcome = try PostgresMigrator(catalog: try PostgresMigrator.bundledCatalog()).migrate(pool)
            } catch {
                // PostgresNIO's own errors print as a generic text: say what the server said.
                throw DatabaseFailure(description: error is PostgresStoreError ? "\(error)" : PostgresErrorText.describe(error))
            }
            print(try jsonText(Report(database: url.description, previousVersion: outcome.previousVersion,
                                      currentVersion: outcome.currentVersion, applied: outcome.applied)))
            return
        }
        let resolved = try common.resolve()
        let (database, outcome) = try resolved.storage.openDatabase()
        print(try jsonText(Report(database: database.path, previousVersion: outcome.previousVersion,
                                  currentVersion: outcome.currentVersion, applied: outcome.applied)))
    }
}

/// A failure of the database, not of the command line (exit status 1, no usage text).
private struct DatabaseFailure: Error, CustomStringConvertible {
    let description: String
}
