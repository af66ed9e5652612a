import Synchronization

/// Request ids: the client's `X-Request-Id` when it is short and made of safe characters (it goes
/// into logs and response headers verbatim), otherwise `<random prefix>-<counter>`, unique per
/// process without a random-number syscall per request.
final class RequestIDGenerator: Sendable {
    static let maxLength = 128
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        prefix = String(UInt64.random(in: 0..<(1 << 40)), radix: 16)
    }

    func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(n, radix: 16)
    }

    /// The client's id when sane: 1-128 characters of [A-Za-z0-9._:-].
    static func sanitized(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= maxLength else { return nil }
        let ok = value.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x3A || b == 0x2D
        }
        return ok ? value : nil
    }
}
