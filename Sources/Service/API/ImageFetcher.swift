import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Fetches `image_url` members under an `ImageURLPolicy`: listed hosts only, addresses checked
/// after name resolution (a listed name that resolves into loopback or a private network is
/// refused unless that address is listed too), redirects only to the same host, a byte limit
/// enforced while receiving, and a time limit on the whole fetch.
public struct ImageFetcher: Sendable {
    public let policy: ImageURLPolicy

    public init(policy: ImageURLPolicy) { self.policy = policy }

    public func fetch(_ text: String, field: String) async throws(APIError) -> Data {
        guard policy.isEnabled else {
            throw APIError.invalidField(field, "'\(field)': fetching images by URL is disabled on this server (image_url.allowed_hosts)")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased(), !host.isEmpty else {
            throw APIError.invalidField(field, "'\(field)' must be an http or https URL")
        }
        guard policy.allowedHosts.contains(host) else {
            throw APIError.invalidField(field, "'\(field)': host \(host) is not in image_url.allowed_hosts")
        }
        let addresses = Self.resolve(host)
        guard !addresses.isEmpty else { throw APIError.invalidField(field, "'\(field)': host \(host) does not resolve") }
        for address in addresses where Self.isInternal(address) && !policy.allowedHosts.contains(address) {
            throw APIError.invalidField(
                field, "'\(field)': \(host) resolves to the internal address \(address), which is not allow-listed")
        }
        let outcome = await Download.run(url: url, host: host, maxBytes: policy.maxBytes, timeout: policy.timeoutSeconds)
        switch outcome {
        case .success(let data): return data
        case .tooLarge:
            throw APIError(status: 413, code: "image-too-large", title: "Image too large",
                           detail: "'\(field)': the image at \(host) is larger than \(policy.maxBytes) bytes", field: field)
        case .failed(let reason):
            throw APIError(status: 422, code: "image-url-failed", title: "Image URL could not be fetched",
                           detail: "'\(field)': \(reason)", field: field)
        }
    }

    /// Numeric addresses of `host` (IPv4 and IPv6), as text.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(text) { out.append(text) }
            }
            cursor = info.pointee.ai_next
        }
        return out
    }

    /// Loopback, private (RFC 1918, unique-local), link-local, unspecified, CGNAT and
    /// IPv4-mapped forms of those: addresses a public fetch must not reach.
    static func isInternal(_ address: String) -> Bool {
        let lower = address.lowercased()
        if lower.contains(":") {
            if lower == "::1" || lower == "::" { return true }
            if lower.hasPrefix("fe8") || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb") { return true }
            if lower.hasPrefix("fc") || lower.hasPrefix("fd") { return true }
            if lower.hasPrefix("::ffff:") { return isInternal(String(lower.dropFirst(7))) }
            return false
        }
        let octets = lower.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return true }
        switch (octets[0], octets[1]) {
        case (0, _), (10, _), (127, _): return true
        case (169, 254), (192, 168): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        default: return false
        }
    }
}

/// One guarded download over URLSession, reported as a value (never thrown across the delegate).
private final class Download: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome: Sendable {
        case success(Data)
        case tooLarge
        case failed(String)
    }

    private let host: String
    private let maxBytes: Int
    private let lock = NSLock()
    private var received = Data()
    private var exceeded = false
    private var redirectRefused: String?
    private var status = 0
    private var continuation: CheckedContinuation<Outcome, Never>?

    private init(host: String, maxBytes: Int) {
        self.host = host
        self.maxBytes = maxBytes
    }

    static func run(url: URL, host: String, maxBytes: Int, timeout: Double) async -> Outcome {
        let download = Download(host: host, maxBytes: maxBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { continuation in
            download.lock.withLock { download.continuation = continuation }
            session.dataTask(with: URLRequest(url: url)).resume()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        let target = request.url?.host?.lowercased()
        if target == host, let scheme = request.url?.scheme?.lowercased(), ["http", "https"].contains(scheme) {
            completionHandler(request)
        } else {
            lock.withLock { redirectRefused = target ?? "an unknown host" }
            completionHandler(nil)
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        let announced = response.expectedContentLength
        let tooBig = announced > Int64(maxBytes)
        lock.withLock {
            status = http?.statusCode ?? 0
            if tooBig { exceeded = true }
        }
        completionHandler(tooBig ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = lock.withLock { () -> Bool in
            received.append(data)
            if received.count > maxBytes { exceeded = true }
            return exceeded
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (outcome, continuation) = lock.withLock { () -> (Outcome, CheckedContinuation<Outcome, Never>?) in
            let outcome: Outcome
            if exceeded {
                outcome = .tooLarge
            } else if let refused = redirectRefused {
                outcome = .failed("redirect to \(refused) refused: redirects may only stay on \(host)")
            } else if let error {
                outcome = .failed("fetching from \(host) failed: \(error.localizedDescription)")
            } else if !(200..<300).contains(status) {
                outcome = .failed("\(host) answered HTTP \(status)")
            } else {
                outcome = .success(received)
            }
            defer { self.continuation = nil }
            return (outcome, self.continuation)
        }
        continuation?.resume(returning: outcome)
    }
}
