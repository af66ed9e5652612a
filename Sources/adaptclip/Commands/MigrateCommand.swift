import ArgumentParser
import Foundation
import Retrieval

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations in the data directory and print the schema version.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let resolved = try common.resolve()
        let directory = URL(fileURLWithPath: resolved.dataDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try SQLiteConnection(path: directory.appendingPathComponent(ImageStore.databaseName).path)
        let outcome = try Migrator(catalog: MigrationCatalog.bundled()).migrate(database)
        struct Report: Encodable { let database: String; let previousVersion: Int; let currentVersion: Int; let applied: [String] }
        print(try jsonText(Report(database: database.path, previousVersion: outcome.previousVersion,
                                  currentVersion: outcome.currentVersion, applied: outcome.applied)))
    }
}
