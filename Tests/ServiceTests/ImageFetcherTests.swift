import Foundation
import Testing
@testable import Service

/// `ImageFetcher` against real HTTP servers on 127.0.0.1 (ImageHostServers): which URLs,
/// addresses and redirects it follows, and that no refusal quotes what a host sent.
@Suite(.serialized) struct ImageFetcherTests {
    static func policy(_ hosts: [String] = ["127.0.0.1"], maxBytes: Int = 1 << 20, timeout: Double = 10, maxRedirects: Int = 3)
        -> ImageURLPolicy
    {
        ImageURLPolicy(allowedHosts: hosts, maxBytes: maxBytes, timeoutSeconds: timeout, maxRedirects: maxRedirects)
    }

    /// The refusal of fetching `url`, or nil (with an issue recorded) when it was fetched.
    static func refusal(_ url: String, _ policy: ImageURLPolicy, sourceLocation: SourceLocation = #_sourceLocation) async -> APIError? {
        do {
            _ = try await ImageFetcher(policy: policy).fetch(url, field: "image_url")
            Issue.record("\(url) was fetched", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.field == "image_url", sourceLocation: sourceLocation)
            #expect(!error.detail.contains(ImageHostServers.secret), "\(error.detail)", sourceLocation: sourceLocation)
            return error
        }
    }

    @Test func anAllowListedImageIsFetchedWhole() async throws {
        try await withImageHosts { hosts in
            let bytes = try await ImageFetcher(policy: Self.policy()).fetch("\(hosts.base)/img.png", field: "image_url")
            #expect(Array(bytes) == ImageHostServers.png)
        }
    }

    @Test(arguments: ["/relative-redirect", "/absolute-redirect", "/two-redirects"])
    func redirectsThatKeepSchemeHostAndPortAreFollowed(path: String) async throws {
        try await withImageHosts { hosts in
            let bytes = try await ImageFetcher(policy: Self.policy()).fetch(hosts.base + path, field: "image_url")
            #expect(Array(bytes) == ImageHostServers.png)
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 1)
        }
    }

    @Test func aRedirectToAnotherPortOfTheSameHostIsRefusedWithoutContactingIt() async throws {
        try await withImageHosts { hosts in
            for path in ["/other-port-redirect", "/other-port-image-redirect"] {
                let error = await Self.refusal(hosts.base + path, Self.policy())
                #expect(error?.status == 422)
                #expect(error?.detail.contains("redirects may only stay on http://127.0.0.1:\(hosts.mainPort)") == true, "\(error?.detail ?? "")")
                // The target is what the host sent: not quoted.
                #expect(error?.detail.contains(String(hosts.otherPort)) == false, "\(error?.detail ?? "")")
            }
            #expect(hosts.otherHits == 0)
        }
    }

    @Test(arguments: ["/other-scheme-redirect", "/other-host-redirect", "/explicit-default-port-redirect", "/secret-redirect"])
    func aRedirectToAnotherOriginIsRefused(path: String) async throws {
        try await withImageHosts { hosts in
            let error = await Self.refusal(hosts.base + path, Self.policy(["127.0.0.1", "localhost"]))
            #expect(error?.status == 422)
            #expect(error?.detail.contains("another origin") == true, "\(error?.detail ?? "")")
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 0)
        }
    }

    @Test func redirectsAreCountedAgainstTheLimit() async throws {
        try await withImageHosts { hosts in
            let loop = await Self.refusal("\(hosts.base)/loop", Self.policy(maxRedirects: 3))
            #expect(loop?.status == 422)
            #expect(loop?.detail.contains("image_url.max_redirects (3)") == true, "\(loop?.detail ?? "")")
            #expect(hosts.hits(hosts.mainPort, "/loop") == 4)
            // Two hops are one too many for a limit of one.
            let two = await Self.refusal("\(hosts.base)/two-redirects", Self.policy(maxRedirects: 1))
            #expect(two?.detail.contains("image_url.max_redirects (1)") == true)
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 0)
        }
    }

    @Test(arguments: ["/big-announced", "/big-stream"])
    func bodiesOverTheByteLimitAreRefusedWhetherAnnouncedOrNot(path: String) async throws {
        try await withImageHosts { hosts in
            let error = await Self.refusal(hosts.base + path, Self.policy(maxBytes: 10_000))
            #expect(error?.status == 413)
            #expect(error?.code == "image-too-large")
        }
    }

    @Test func aStalledHostIsCutOffAtTheFetchTimeLimit() async throws {
        try await withImageHosts { hosts in
            let error = await Self.refusal("\(hosts.base)/stalled", Self.policy(timeout: 0.3))
            #expect(error?.status == 422)
            #expect(error?.detail.contains("did not finish in time (image_url.timeout_seconds is 0.3 s") == true, "\(error?.detail ?? "")")
            // The request's deadline, when earlier, stops it as well.
            do throws(APIError) {
                _ = try await ImageFetcher(policy: Self.policy(timeout: 60)).fetch(
                    "\(hosts.base)/stalled", field: "image_url", deadline: .now + .milliseconds(300))
                Issue.record("a stalled fetch finished")
            } catch {
                #expect(error.status == 422 && error.detail.contains("did not finish in time"), "\(error.detail)")
            }
        }
    }

    @Test func anErrorStatusIsReportedWithoutItsBody() async throws {
        try await withImageHosts { hosts in
            let error = await Self.refusal("\(hosts.base)/secret-404", Self.policy())
            #expect(error?.status == 422)
            #expect(error?.detail.contains("HTTP 404") == true)
        }
    }

    @Test func aListedNameResolvingToAnInternalAddressIsRefusedUnlessTheAddressIsListed() async throws {
        try await withImageHosts { hosts in
            let url = "http://localhost:\(hosts.mainPort)/img.png"
            let refused = await Self.refusal(url, Self.policy(["localhost"]))
            #expect(refused?.status == 400)
            #expect(refused?.detail.contains("internal address 127.0.0.1 (127.0.0.0/8 (loopback))") == true, "\(refused?.detail ?? "")")
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 0)
            let bytes = try await ImageFetcher(policy: Self.policy(["localhost", "127.0.0.1"])).fetch(url, field: "image_url")
            #expect(Array(bytes) == ImageHostServers.png)
        }
    }

    @Test func anInternalIPLiteralIsFetchedOnlyWhenListedAsAnAddress() async throws {
        try await withImageHosts { hosts in
            // Listed by another spelling of the same address.
            let bytes = try await ImageFetcher(policy: Self.policy(["::ffff:127.0.0.1", "127.0.0.1"])).fetch(
                "\(hosts.base)/img.png", field: "image_url")
            #expect(Array(bytes) == ImageHostServers.png)
            let unlisted = await Self.refusal("http://127.0.0.2:\(hosts.mainPort)/img.png", Self.policy())
            #expect(unlisted?.status == 400)
            #expect(unlisted?.detail.contains("not in image_url.allowed_hosts") == true)
        }
    }

    @Test(arguments: [
        ("ftp://127.0.0.1/x.png", "http or https"),
        ("http://user:password@127.0.0.1/x.png", "user name or password"),
        ("http://[fe80::1%25eth0]/x.png", "ASCII name or an IP address"),
        ("http://bücher.example/x.png", "ASCII name or an IP address"),
        ("http://127.0.0.1:0/x.png", "ASCII name or an IP address"),
        ("http://exa mple.com/x.png", "not a valid URL"),
        ("http://", "not a valid URL"),
        ("/x.png", "not a valid URL"),
    ])
    func urlsThatAreNotPlainHTTPToANamedHostAreRefused(url: String, reason: String) async {
        let error = await Self.refusal(url, Self.policy(["127.0.0.1", "bücher.example", "exa mple.com"]))
        #expect(error?.status == 400)
        #expect(error?.detail.contains(reason) == true, "\(url): \(error?.detail ?? "nil")")
    }

    @Test func originsUseTheSchemesDefaultPortAndIgnoreCase() throws {
        #expect(try FetchURL("http://Images.Example/a.png").origin == FetchOrigin(scheme: "http", host: "images.example", port: 80))
        #expect(try FetchURL("HTTPS://images.example/a.png").origin == FetchOrigin(scheme: "https", host: "images.example", port: 443))
        #expect(try FetchURL("http://images.example:80/b").origin == FetchURL("http://images.example/a").origin)
        #expect(try FetchURL("http://images.example:8080/").origin != FetchURL("http://images.example/").origin)
        #expect(try FetchURL("http://[::1]:8080/").origin == FetchOrigin(scheme: "http", host: "::1", port: 8080))
    }

    /// The transfer connects to the address it was given, not to whatever the name resolves to:
    /// `.invalid` never resolves, yet the fetch reaches the pinned 127.0.0.1.
    @Test func theTransferConnectsToThePinnedAddressWithoutResolvingTheName() async throws {
        try await withImageHosts { hosts in
            let url = try FetchURL("http://image-host.invalid:\(hosts.mainPort)/img.png")
            let response = try await Self.transfer(url, pinnedTo: "127.0.0.1").get()
            #expect(response.status == 200 && response.body == ImageHostServers.png)
        }
    }

    @Test func theTransferRefusesToConnectToAnAddressItWasNotGiven() async throws {
        try await withImageHosts { hosts in
            let result = await Self.transfer(try FetchURL("\(hosts.base)/img.png"), pinnedTo: "127.0.0.2")
            #expect(throws: PinnedTransfer.Failure.unpinnedAddress) { try result.get() }
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 0)
        }
    }

    @Test func aCancelledFetchStopsTheTransfer() async throws {
        try await withImageHosts { hosts in
            let cancellation = FetchCancellation()
            cancellation.cancel()
            let result = await Self.transfer(try FetchURL("\(hosts.base)/img.png"), pinnedTo: "127.0.0.1", cancellation: cancellation)
            #expect(throws: PinnedTransfer.Failure.cancelled) { try result.get() }
            #expect(hosts.hits(hosts.mainPort, "/img.png") == 0)
        }
    }

    /// One GET of `url` connecting only to `address`, on a thread of its own as the fetcher runs it.
    static func transfer(
        _ url: FetchURL, pinnedTo address: String, cancellation: FetchCancellation = FetchCancellation()
    ) async -> Result<PinnedTransfer.Response, PinnedTransfer.Failure> {
        await offPool {
            Result { () throws(PinnedTransfer.Failure) in
                try PinnedTransfer(origin: url.origin, addresses: [IPAddress(address)!], maxBytes: 1 << 20, cancellation: cancellation)
            }.flatMap { $0.get(url, timeoutMilliseconds: 5000) }
        }
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
