import CSQLite
import Foundation
import TestSupport
import Testing
@testable import Retrieval

@Suite struct SQLiteConnectionTests {
    @Test func opensInWALWithForeignKeysAndReusesStatements() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let db = try SQLiteConnection(path: dir.appendingPathComponent("t.sqlite").path)
        #expect(try db.scalar("PRAGMA journal_mode").text == "wal")
        #expect(try db.scalar("PRAGMA foreign_keys").integer == 1)
        #expect(try db.scalar("PRAGMA busy_timeout").integer == 5_000)
        try db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id));")
        let cachedBefore = db.cachedStatementCount
        for i in 0..<20 { try db.run("INSERT INTO p (id) VALUES (?)", [.integer(Int64(i))]) }
        #expect(db.cachedStatementCount == cachedBefore + 1, "20 runs of one SQL text prepare it once")
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO c (p) VALUES (?)", [.integer(999)]) }
        #expect(error?.code == SQLITE_CONSTRAINT)
        #expect(error?.extendedCode == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
        #expect(error?.sql == "INSERT INTO c (p) VALUES (?)")
        #expect(error?.message.contains("FOREIGN KEY") == true)
    }

    @Test func reportsTheStatementOfASyntaxError() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let db = try SQLiteConnection(path: dir.appendingPathComponent("t.sqlite").path)
        let error = #expect(throws: SQLiteError.self) { try db.query("SELEC nonsense") }
        #expect(error?.code == SQLITE_ERROR)
        #expect(error?.sql == "SELEC nonsense")
        #expect(error?.description.contains("syntax error") == true)
    }

    @Test func rollsBackAFailedTransaction() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let db = try SQLiteConnection(path: dir.appendingPathComponent("t.sqlite").path)
        try db.execute("CREATE TABLE t (v INTEGER UNIQUE)")
        #expect(throws: SQLiteError.self) {
            try db.transaction {
                try db.run("INSERT INTO t (v) VALUES (1)")
                try db.run("INSERT INTO t (v) VALUES (1)")
            }
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM t").integer == 0)
    }
}
