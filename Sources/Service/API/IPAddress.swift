#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16 of them). The fetcher compares
/// and classifies addresses as bytes, never as text: `::ffff:127.0.0.1`, `::ffff:7f00:1` and
/// `0:0:0:0:0:ffff:7f00:1` are one address.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    var isIPv4: Bool { bytes.count == 4 }

    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Numeric text only: dotted-quad IPv4 (`inet_pton`, so no `127.1` or `0x7f.1` shorthand)
    /// or IPv6, optionally in brackets. Names and zone ids (`fe80::1%eth0`) are not addresses.
    init?(_ text: String) {
        var body = Substring(text)
        if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        let literal = String(body)
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The canonical text (`inet_ntop`): what error messages and `CURLOPT_RESOLVE` show.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        guard ok else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address in bytes `offset ..< offset + 4` of an IPv6 address.
    func embeddedIPv4(at offset: Int) -> IPAddress? {
        guard bytes.count == 16, offset + 4 <= 16 else { return nil }
        return IPAddress(bytes: Array(bytes[offset..<offset + 4]))
    }
}
