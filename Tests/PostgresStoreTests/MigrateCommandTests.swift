import Foundation
import TestSupport
import Testing

/// `adaptclip migrate --postgres URL`, run as the built binary.
@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct MigrateCommandTests {
    @Test func migratesOnceThenReportsNothingToDo() throws {
        let url = try TemporaryPostgres.shared().makeDatabase()
        let first = try migrate(["--postgres", url])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(report["previousVersion"] as? Int == 0)
        #expect((report["applied"] as? [String])?.first == "0001_initial")
        let second = try migrate(["--postgres", url])
        let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(again["applied"] as? [String] == [])
        #expect(again["currentVersion"] as? Int == report["currentVersion"] as? Int)
    }

    @Test func aBadURLIsAUsageErrorNamingThePartAtFault() throws {
        let result = try migrate(["--postgres", "postgres://u:hunter2@127.0.0.1/db?sslmode=sometimes"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("sslmode"))
        #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
    }

    @Test func anUnreachableServerIsADatabaseFailureSayingSo() throws {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let result = try migrate(["--postgres", "postgres://u@127.0.0.1:1/db?sslmode=disable"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to postgres://u@127.0.0.1:1/db"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:"))
    }

    private func migrate(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runAdaptCLIP(["migrate"] + arguments)
    }
}
