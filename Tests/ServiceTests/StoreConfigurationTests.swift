import Foundation
import Testing
@testable import Service

/// The `store.*` keys: the backend, and a PostgreSQL URL whose password stays out of every text.
struct StoreConfigurationTests {
    @Test func theEmbeddedStoreIsTheDefault() throws {
        let configuration = try ConfigurationLoader().load()
        #expect(configuration.store.backend == .sqlite)
        #expect(configuration.store.postgresURL == nil)
    }

    @Test func postgresWithoutAURLIsRefusedNamingBothWaysToGiveOne() throws {
        #expect {
            try ConfigurationLoader(environment: ["ADAPTCLIP_STORE_BACKEND": "postgres"]).load()
        } throws: { error in
            let text = "\(error)"
            return text.contains("store.postgres.url") && text.contains("ADAPTCLIP_STORE_POSTGRES_URL")
        }
    }

    @Test func theURLIsCheckedAtLoadWithoutEchoingItsPassword() throws {
        let bad = "postgres://user:s3cret-pw@db.example:5432/photos?sslmod=require"
        #expect {
            try ConfigurationLoader(overrides: ["store.backend": "postgres", "store.postgres.url": bad]).load()
        } throws: { error in
            "\(error)".contains("unknown parameter 'sslmod'") && !"\(error)".contains("s3cret-pw")
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(overrides: ["store.backend": "sqlite", "store.postgres.url": "mysql://db/x"]).load()
        }
    }

    @Test func printedConfigurationHidesThePassword() throws {
        let configuration = try ConfigurationLoader(environment: [
            "ADAPTCLIP_STORE_BACKEND": "postgres",
            "ADAPTCLIP_STORE_POSTGRES_URL": "postgres://adaptclip:s3cret-pw@db.example:5432/photos?sslmode=verify-full",
            "ADAPTCLIP_STORE_POSTGRES_MAX_CONNECTIONS": "3", "ADAPTCLIP_STORE_POSTGRES_EF_SEARCH": "200",
        ]).load()
        #expect(!configuration.description.contains("s3cret-pw"))
        #expect(configuration.description.contains("store.postgres.url = \"postgres://adaptclip:***@db.example:5432/photos?sslmode=verify-full\""))
        #expect(configuration.store.backend == .postgres)
        #expect(configuration.store.poolLimits.maxConnections == 3)
        #expect(configuration.store.indexSettings.efSearch == 200)
        #expect(!"\(try #require(configuration.store.postgresURL))".contains("s3cret-pw"))
    }

    @Test func aURLWithoutAPasswordTakesPGPASSWORDAsLibpqDoes() throws {
        let configuration = try ConfigurationLoader(environment: [
            "ADAPTCLIP_STORE_BACKEND": "postgres", "ADAPTCLIP_STORE_POSTGRES_URL": "postgres://adaptclip@db.example/photos",
            "PGPASSWORD": "from-the-environment",
        ]).load()
        let url = try #require(configuration.store.postgresURL)
        #expect(url.configuration.password == "from-the-environment")
        #expect(!configuration.description.contains("from-the-environment"))
        let withOwn = try ConfigurationLoader(environment: [
            "ADAPTCLIP_STORE_POSTGRES_URL": "postgres://adaptclip:own@db.example/photos", "PGPASSWORD": "from-the-environment",
        ]).load()
        #expect(try #require(withOwn.store.postgresURL).configuration.password == "own")
    }
}
