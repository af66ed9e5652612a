import Digests
import JSON

/// One client's key as `auth.api_keys` stores it: a name for logs and metrics, the SHA-256 of
/// the key (the key itself is never written down), and its rate limit.
///
///     {"name": "app", "sha256": "<64 hex digits>", "requests_per_minute": 600}
public struct APIKeyEntry: Sendable, Equatable {
    let name: String
    /// The key's SHA-256 as 64 lower-case hex digits (ASCII bytes), compared in constant time.
    let digest: [UInt8]
    let requestsPerMinute: Int

    static let maxRequestsPerMinute = 1_000_000

    /// The digest `adaptclip keys hash` prints and `auth.api_keys` stores for `key`.
    public static func hexDigest(ofKey key: String) -> String {
        SHA256.hexDigest(of: Array(key.utf8))
    }

    /// Reads one array item; the error says what is wrong with it.
    static func parse(_ item: JSONValue, index: Int) -> Result<APIKeyEntry, EntryError> {
        func fail(_ reason: String) -> Result<APIKeyEntry, EntryError> { .failure(EntryError(reason: "entry \(index): \(reason)")) }
        guard case .object(let members) = item else { return fail("must be an object") }
        if let unknown = members.keys.sorted().first(where: { !["name", "sha256", "requests_per_minute"].contains($0) }) {
            return fail("unknown member '\(unknown)' (name, sha256, requests_per_minute)")
        }
        guard case .string(let name)? = members["name"], !name.isEmpty else { return fail("'name' must be a non-empty string") }
        guard case .string(let hex)? = members["sha256"], let digest = Self.normalisedHex(hex) else {
            return fail("'sha256' must be 64 hex digits (adaptclip keys hash prints them)")
        }
        guard let rate = members["requests_per_minute"]?.integralValue, (1...maxRequestsPerMinute).contains(rate) else {
            return fail("'requests_per_minute' must be an integer in 1...\(maxRequestsPerMinute)")
        }
        return .success(APIKeyEntry(name: name, digest: digest, requestsPerMinute: rate))
    }

    /// Every entry of an `auth.api_keys` value, or why one is invalid (also the key's check).
    static func parseAll(_ value: ConfigValue) -> Result<[APIKeyEntry], EntryError> {
        guard case .list(let items) = value else { return .failure(EntryError(reason: "must be a JSON array")) }
        var entries: [APIKeyEntry] = []
        for (index, item) in items.enumerated() {
            switch parse(item, index: index) {
            case .success(let entry): entries.append(entry)
            case .failure(let error): return .failure(error)
            }
        }
        if Set(entries.map(\.name)).count != entries.count { return .failure(EntryError(reason: "names must be unique")) }
        if Set(entries.map(\.digest)).count != entries.count { return .failure(EntryError(reason: "each key may appear once")) }
        return .success(entries)
    }

    struct EntryError: Error, Equatable {
        let reason: String
    }

    /// The lower-case hex digits, or nil when `hex` is not 64 of them.
    private static func normalisedHex(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.lowercased().utf8)
        let valid = digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        return digits.count == 64 && valid ? digits : nil
    }
}
