import ArgumentParser
import Foundation
import Retrieval
import Service

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations in the data directory and print the schema version.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let resolved = try common.resolve()
        let (database, outcome) = try resolved.storage.openDatabase()
        struct Report: Encodable { let database: String; let previousVersion: Int; let currentVersion: Int; let applied: [String] }
        print(try jsonText(Report(database: database.path, previousVersion: outcome.previousVersion,
                                  currentVersion: outcome.currentVersion, applied: outcome.applied)))
    }
}
