import Testing
@testable import Models

/// One identity per checkpoint: people read name@version, whatever outlives a request keys on
/// the digest too.
@Suite struct AdapterIdentityTests {
    static let digest = "1a2b3c4d5e6f" + String(repeating: "0", count: 52)
    static let zh = AdapterIdentity(name: "zh", version: "2", digest: digest)

    @Test func peopleSeeNameAtVersionAndCachesKeyOnTheDigestToo() {
        #expect("\(Self.zh)" == "zh@2")
        #expect(Self.zh.fingerprint == "zh@2:1a2b3c4d5e6f")
        let retrained = AdapterIdentity(name: "zh", version: "2", digest: String(repeating: "f", count: 64))
        #expect(retrained.description == Self.zh.description)
        #expect(retrained.fingerprint != Self.zh.fingerprint && retrained != Self.zh)
    }

    /// The producer formats clients see: a language adapter's is documented without its kind
    /// (docs/openapi.yaml), every other kind names itself.
    @Test func producersNameTheBaseTheKindAndTheFingerprint() {
        #expect(Self.zh.producer(base: "bert-zh", kind: .language) == "bert-zh+zh@2:1a2b3c4d5e6f")
        #expect(Self.zh.producer(base: "tiny-clip", kind: .domain) == "tiny-clip+domain:zh@2:1a2b3c4d5e6f")
        #expect(Self.zh.producer(base: "tiny-clip", kind: .prompt) == "tiny-clip+prompt:zh@2:1a2b3c4d5e6f")
        #expect(Self.zh.qualified(.domain) == "domain:zh@2:1a2b3c4d5e6f")
    }

    @Test func kindsAreTheManifestsStrings() {
        #expect(AdapterKind.allCases.map(\.rawValue) == ["language", "domain", "prompt"])
        #expect(LanguageAdapterManifest.kind == .language && DomainAdapterManifest.kind == .domain && PromptManifest.kind == .prompt)
    }
}
