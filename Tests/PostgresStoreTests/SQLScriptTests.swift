import Testing
@testable import PostgresStore

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y''z');
            /* block; /* nested; */ still comment; */
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT E'back\\'slash;', "odd;name", $1;
            -- trailing comment only
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("CREATE TABLE a (t text DEFAULT 'x;y''z')"))
        #expect(statements[1].contains("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql"))
        #expect(statements[2].contains("SELECT E'back\\'slash;', \"odd;name\", $1"))
    }

    @Test func emptyAndCommentOnlyScriptsHaveNoStatements() {
        #expect(SQLScript.statements("").isEmpty)
        #expect(SQLScript.statements("  ;; -- nothing\n/* here */ ;").isEmpty)
    }

    @Test func theBundledMigrationSplitsIntoItsStatements() throws {
        let sql = try PostgresMigrator.bundledCatalog().migrations[0].sql
        let statements = SQLScript.statements(sql)
        #expect(statements.first == "CREATE EXTENSION IF NOT EXISTS vector" || statements.first?.hasSuffix("CREATE EXTENSION IF NOT EXISTS vector") == true)
        #expect(statements.filter { $0.contains("CREATE TABLE") }.count == 7)
    }
}
