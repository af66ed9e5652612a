import Foundation

/// Fetches `image_url` members under an `ImageURLPolicy`:
/// - the URL is http or https on a listed host (`image_url.allowed_hosts`);
/// - the host name is resolved once; every address it resolves to must be public, or listed
///   itself, and the transfer connects to those checked addresses only (`PinnedTransfer`);
/// - a redirect is followed only to the same origin — scheme, host and effective port (80 and
///   443 when the URL gives none) — at most `image_url.max_redirects` times;
/// - at most `image_url.max_bytes` are received, within `image_url.timeout_seconds` for the
///   whole fetch, redirects included.
/// Error details name the URL's own host and the rule broken; they never quote anything the
/// remote host sent (not a redirect target, not a body).
public struct ImageFetcher: Sendable {
    public let policy: ImageURLPolicy

    public init(policy: ImageURLPolicy) { self.policy = policy }

    /// `deadline`: the request's, when it ends before `image_url.timeout_seconds` would; the
    /// fetch (resolution, connection, redirects, body) stops at the earlier of the two.
    public func fetch(_ text: String, field: String, deadline: ContinuousClock.Instant? = nil) async throws(APIError) -> Data {
        guard policy.isEnabled else {
            throw APIError.invalidField(field, "'\(field)': fetching images by URL is disabled on this server (image_url.allowed_hosts)")
        }
        let url: FetchURL
        do {
            url = try FetchURL(text)
        } catch {
            throw APIError.invalidField(field, "'\(field)' " + Self.explain(error))
        }
        guard policy.allows(host: url.origin.host) else {
            throw APIError.invalidField(field, "'\(field)': host \(url.origin.host) is not in image_url.allowed_hosts")
        }
        // Resolution and the transfers block: they run on a thread of their own, never on the
        // cooperative threads that serve other requests.
        let cancellation = FetchCancellation()
        let policy = self.policy
        let outcome = await withTaskCancellationHandler {
            await Self.onOwnThread { Self.run(url, policy: policy, deadline: deadline, cancellation: cancellation) }
        } onCancel: {
            cancellation.cancel()
        }
        switch outcome {
        case .success(let bytes): return Data(bytes)
        case .failure(let refusal): throw refusal.apiError(field: field, origin: url.origin, policy: policy)
        }
    }

    /// Resolves, checks and fetches `url` and its same-origin redirects. Blocking.
    static func run(
        _ url: FetchURL, policy: ImageURLPolicy, deadline: ContinuousClock.Instant? = nil, cancellation: FetchCancellation
    ) -> Result<[UInt8], FetchRefusal> {
        let origin = url.origin
        let start = ContinuousClock.now
        var budget = Duration.milliseconds(Int64(policy.timeoutSeconds * 1000))
        if let deadline { budget = min(budget, deadline - start) }
        let addresses: [IPAddress]
        switch checkedAddresses(of: origin.host, policy: policy, within: budget) {
        case .success(let checked): addresses = checked
        case .failure(let refusal): return .failure(refusal)
        }
        let transfer: PinnedTransfer
        do {
            transfer = try PinnedTransfer(origin: origin, addresses: addresses, maxBytes: policy.maxBytes, cancellation: cancellation)
        } catch {
            return .failure(.transfer(error))
        }
        var current = url
        var redirects = 0
        while true {
            let left = budget - (ContinuousClock.now - start)
            guard left > .zero else { return .failure(.transfer(.timedOut)) }
            let response: PinnedTransfer.Response
            switch transfer.get(current, timeoutMilliseconds: Int(left / .milliseconds(1))) {
            case .success(let answer): response = answer
            case .failure(let failure): return .failure(.transfer(failure))
            }
            switch response.status {
            case 200..<300:
                return .success(response.body)
            case 301, 302, 303, 307, 308:
                guard let target = response.redirect, let next = try? FetchURL(target), next.origin == origin else {
                    return .failure(.redirectOffOrigin)
                }
                redirects += 1
                guard redirects <= policy.maxRedirects else { return .failure(.tooManyRedirects) }
                current = next
            default:
                return .failure(.status(response.status))
            }
        }
    }

    /// `host`'s addresses, each public or listed; for an IP literal, the literal itself.
    static func checkedAddresses(of host: String, policy: ImageURLPolicy, within budget: Duration) -> Result<[IPAddress], FetchRefusal> {
        let literal = IPAddress(host).map { [$0] }
        guard let addresses = literal ?? HostResolver.addresses(of: host, within: budget) else {
            return .failure(.transfer(.timedOut))
        }
        guard !addresses.isEmpty else { return .failure(.unresolvable) }
        for address in addresses {
            if let block = InternalAddresses.block(containing: address), !policy.allows(address: address) {
                return .failure(.internalAddress(address, block))
            }
        }
        return .success(addresses)
    }

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private static func explain(_ refusal: FetchURL.Refusal) -> String {
        switch refusal {
        case .unparsable: "is not a valid URL"
        case .scheme: "must be an http or https URL"
        case .credentials: "must not carry a user name or password"
        case .host: "must name its host as an ASCII name or an IP address, with a port from 1 to 65535"
        }
    }
}

/// Why a fetch that passed the URL checks did not produce an image.
enum FetchRefusal: Error, Equatable {
    case unresolvable
    case internalAddress(IPAddress, AddressBlock)
    case redirectOffOrigin
    case tooManyRedirects
    case status(Int)
    case transfer(PinnedTransfer.Failure)

    func apiError(field: String, origin: FetchOrigin, policy: ImageURLPolicy) -> APIError {
        let host = origin.host
        switch self {
        case .unresolvable:
            return .invalidField(field, "'\(field)': host \(host) does not resolve")
        case .internalAddress(let address, let block):
            return .invalidField(
                field, "'\(field)': \(host) resolves to the internal address \(address) (\(block)), which is not in image_url.allowed_hosts")
        case .transfer(.tooLarge):
            return APIError(status: 413, code: "image-too-large", title: "Image too large",
                            detail: "'\(field)': the image at \(host) is larger than image_url.max_bytes (\(policy.maxBytes) bytes)", field: field)
        default:
            return APIError(status: 422, code: "image-url-failed", title: "Image URL could not be fetched",
                            detail: "'\(field)': \(reason(host: origin, policy: policy))", field: field)
        }
    }

    private func reason(host origin: FetchOrigin, policy: ImageURLPolicy) -> String {
        switch self {
        case .redirectOffOrigin:
            "\(origin.host) redirected to another origin; redirects may only stay on \(origin)"
        case .tooManyRedirects:
            "\(origin.host) redirected more than image_url.max_redirects (\(policy.maxRedirects)) times"
        case .status(let code):
            "\(origin.host) answered HTTP \(code)"
        case .transfer(.timedOut):
            "fetching from \(origin.host) did not finish in time (image_url.timeout_seconds is \(policy.timeoutSeconds) s; the request's deadline may be earlier)"
        case .transfer(.cancelled):
            "the request was cancelled while fetching from \(origin.host)"
        case .transfer(.unpinnedAddress):
            "the connection to \(origin.host) went to an address that was not checked"
        case .transfer(.transport(let text)):
            "fetching from \(origin.host) failed: \(text)"
        case .transfer(.tooLarge), .unresolvable, .internalAddress:
            "fetching from \(origin.host) failed"
        }
    }
}
