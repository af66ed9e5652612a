import Testing
@testable import Retrieval

@Suite struct LinkedLibrariesTests {
    /// WAL, UPSERT and RETURNING need SQLite ≥ 3.35; Debian 12 ships 3.40.
    @Test func sqliteIsRecentEnough() throws {
        let parts = RetrievalLibraries.sqliteVersion.split(separator: ".").compactMap { Int($0) }
        try #require(parts.count >= 2)
        #expect(parts[0] == 3 && parts[1] >= 35, "SQLite \(RetrievalLibraries.sqliteVersion)")
    }

    @Test func faissShimReportsTheDebianVersion() {
        #expect(RetrievalLibraries.faissVersion.hasPrefix("1."))
    }
}
