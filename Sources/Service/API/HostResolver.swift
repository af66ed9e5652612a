import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Name → addresses through the system resolver (`getaddrinfo`, so /etc/hosts counts). The
/// fetcher resolves a host once, checks every address and connects only to those: a second
/// lookup could answer differently (DNS rebinding).
enum HostResolver {
    /// `addresses(of:)` within `timeout`, or nil when the resolver takes longer. getaddrinfo
    /// has no timeout of its own (a dead DNS server holds it for the resolver's retries), so it
    /// runs on a thread of its own; one that overruns is left to finish and its answer dropped.
    static func addresses(of host: String, within timeout: Duration) -> [IPAddress]? {
        let answer = ResolverAnswer()
        Thread { answer.deliver(addresses(of: host)) }.start()
        return answer.wait(timeout)
    }

    /// Distinct addresses of `host` in the resolver's order; empty when it does not resolve.
    /// Blocks the calling thread for as long as the resolver takes: call it off the cooperative pool.
    static func addresses(of host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr.flatMap(Self.address(of:)), !out.contains(address) { out.append(address) }
            cursor = info.pointee.ai_next
        }
        return out
    }

    private static func address(of socketAddress: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                withUnsafeBytes(of: v4.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                withUnsafeBytes(of: v6.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }
}

/// One resolver answer handed from the resolving thread to the waiting one.
private final class ResolverAnswer: Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private let addresses = Mutex<[IPAddress]?>(nil)

    func deliver(_ found: [IPAddress]) {
        addresses.withLock { $0 = found }
        ready.signal()
    }

    func wait(_ timeout: Duration) -> [IPAddress]? {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        guard ready.wait(timeout: .now() + max(0, seconds)) == .success else { return nil }
        return addresses.withLock { $0 }
    }
}
