import PostgresStore
import Testing

@Suite struct PostgresURLTests {
    @Test func parsesAndHidesThePassword() throws {
        let url = try PostgresURL("postgres://clip:s%40cret@db.internal:6543/photos?sslmode=disable&connect_timeout=3")
        #expect(url.configuration.username == "clip")
        #expect(url.configuration.password == "s@cret")
        #expect(url.configuration.database == "photos")
        #expect(url.configuration.host == "db.internal")
        #expect(url.configuration.port == 6543)
        #expect(!url.configuration.tls.isAllowed)
        #expect(url.configuration.options.connectTimeout == .seconds(3))
        #expect(!url.description.contains("s%40cret") && !url.description.contains("s@cret"))
        #expect(url.description.contains("***"))
    }

    @Test func defaultsFollowLibpq() throws {
        let url = try PostgresURL("postgresql://clip@localhost")
        #expect(url.configuration.port == 5432)
        #expect(url.configuration.database == "clip")
        #expect(url.configuration.tls.isAllowed && !url.configuration.tls.isEnforced)
        #expect(try PostgresURL("postgres://a@h/db?sslmode=verify-full").configuration.tls.isEnforced)
    }

    @Test func aUnixSocketDirectory() throws {
        let url = try PostgresURL("postgres://clip@/photos?host=/var/run/postgresql")
        #expect(url.configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test(arguments: [
        "mysql://a@h/db", "postgres://a@h/db?sslmode=allow-ish", "postgres://a@h/db?ssl_mode=require",
        "postgres://a@h/db?connect_timeout=0", "postgres://a@/db", "not a url",
    ])
    func refusals(_ text: String) {
        #expect(throws: PostgresStoreError.self) { try PostgresURL(text) }
    }
}
