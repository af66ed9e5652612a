import CCurl

/// Scheme, host and effective port: what a redirect may not change.
struct FetchOrigin: Hashable, Sendable, CustomStringConvertible {
    let scheme: String
    /// Lower-case name, dotted-quad IPv4 or bracket-less IPv6 literal.
    let host: String
    let port: Int

    var description: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// An `image_url` (or a redirect's target) as libcurl parses it. The checks read the parts from
/// the very handle the transfer is given (`CURLOPT_CURLU`), so the URL that was checked and the
/// URL that is fetched cannot be parsed differently — the classic gap between an allow-list's
/// URL parser and the HTTP client's.
final class FetchURL: @unchecked Sendable {
    /// Why a URL is not fetchable; the text never quotes the URL (a redirect's target is bytes
    /// the remote host sent, which error details never echo).
    enum Refusal: Error, Equatable {
        case unparsable
        case scheme
        case credentials
        case host
    }

    /// The `CURLU` handle, owned (freed in deinit); immutable after init, hence `@unchecked Sendable`.
    let handle: OpaquePointer
    let origin: FetchOrigin

    /// Parses `text`, an absolute URL: http or https, a host that is an ASCII name or an IP
    /// literal, no user name or password (they would be sent to the host).
    init(_ text: String) throws(Refusal) {
        guard let handle = curl_url() else { throw .unparsable }
        self.handle = handle
        guard curl_url_set(handle, CURLUPART_URL, text, 0) == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw .unparsable
        }
        do {
            origin = try Self.origin(of: handle)
        } catch {
            curl_url_cleanup(handle)
            throw error
        }
    }

    deinit { curl_url_cleanup(handle) }

    private static func origin(of handle: OpaquePointer) throws(Refusal) -> FetchOrigin {
        guard let scheme = part(handle, CURLUPART_SCHEME)?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .scheme
        }
        guard part(handle, CURLUPART_USER) == nil, part(handle, CURLUPART_PASSWORD) == nil else { throw .credentials }
        // A zone id (`fe80::1%eth0`) names an interface of this machine: never a remote host.
        guard part(handle, CURLUPART_ZONEID) == nil, var host = part(handle, CURLUPART_HOST)?.lowercased() else { throw .host }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard let address = IPAddress(host), !address.isIPv4 else { throw .host }
        } else {
            // ASCII names only: an IDN name may reach the resolver converted (punycode), and
            // then the name that was allow-listed is not the name that was looked up.
            guard !host.isEmpty, host.utf8.allSatisfy(Self.isHostByte) else { throw .host }
        }
        guard let portText = part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)), let port = Int(portText),
              (1...65535).contains(port)
        else { throw .host }
        return FetchOrigin(scheme: scheme, host: host, port: port)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
