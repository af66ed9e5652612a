/// A network, `address/prefixLength`.
struct AddressBlock: Sendable, Equatable, CustomStringConvertible {
    let network: IPAddress
    let prefixLength: Int
    /// What the block is for (`loopback`, `private`), for error messages.
    let purpose: String

    init(_ cidr: String, _ purpose: String) {
        let parts = cidr.split(separator: "/")
        // The table below is literal; a typo in it is a programming error caught by its tests.
        network = IPAddress(String(parts[0]))!
        prefixLength = Int(parts[1])!
        self.purpose = purpose
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, n) in zip(address.bytes, network.bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != n & mask { return false }
            remaining -= bits
        }
        return true
    }

    var description: String { "\(network)/\(prefixLength) (\(purpose))" }
}

/// The addresses an `image_url` fetch must not reach unless the operator lists them: this host,
/// private and link-local networks, and every block that is not a unicast destination on the
/// public internet (IANA special-purpose registries, RFC 6890 and successors). IPv6 forms that
/// carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address, since
/// that is where the packets end up.
enum InternalAddresses {
    static let ipv4: [AddressBlock] = [
        AddressBlock("0.0.0.0/8", "this network"),
        AddressBlock("10.0.0.0/8", "private"),
        AddressBlock("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
        AddressBlock("127.0.0.0/8", "loopback"),
        AddressBlock("169.254.0.0/16", "link-local"),
        AddressBlock("172.16.0.0/12", "private"),
        AddressBlock("192.0.0.0/24", "IETF protocol assignments"),
        AddressBlock("192.0.2.0/24", "documentation (TEST-NET-1)"),
        AddressBlock("192.168.0.0/16", "private"),
        AddressBlock("198.18.0.0/15", "benchmarking"),
        AddressBlock("198.51.100.0/24", "documentation (TEST-NET-2)"),
        AddressBlock("203.0.113.0/24", "documentation (TEST-NET-3)"),
        AddressBlock("224.0.0.0/4", "multicast"),
        // Before 240.0.0.0/4, which holds it: the more specific name wins.
        AddressBlock("255.255.255.255/32", "limited broadcast"),
        AddressBlock("240.0.0.0/4", "reserved"),
    ]

    /// IPv6 blocks whose last (or, for 6to4, 2nd to 5th) bytes are an IPv4 address, judged by it.
    static let ipv4Carriers: [(block: AddressBlock, offset: Int)] = [
        (AddressBlock("::ffff:0:0/96", "IPv4-mapped"), 12),
        (AddressBlock("::ffff:0:0:0/96", "IPv4-translated"), 12),
        (AddressBlock("::/96", "IPv4-compatible"), 12),
        (AddressBlock("64:ff9b::/96", "NAT64"), 12),
        (AddressBlock("2002::/16", "6to4"), 2),
    ]

    static let ipv6: [AddressBlock] = [
        AddressBlock("::/128", "unspecified"),
        AddressBlock("::1/128", "loopback"),
        // Local-use NAT64 (RFC 8215): the prefix length inside the /48 is the operator's choice,
        // so where the IPv4 address sits cannot be known here; the whole block stays local.
        AddressBlock("64:ff9b:1::/48", "local-use NAT64"),
        AddressBlock("100::/64", "discard-only"),
        // Teredo hides its IPv4 addresses (the client's is XOR-ed), so they cannot be judged.
        AddressBlock("2001::/32", "Teredo"),
        AddressBlock("2001:db8::/32", "documentation"),
        AddressBlock("3fff::/20", "documentation"),
        AddressBlock("fc00::/7", "unique local"),
        AddressBlock("fe80::/10", "link-local"),
        AddressBlock("fec0::/10", "site-local (deprecated)"),
        AddressBlock("ff00::/8", "multicast"),
    ]

    /// IPv6 unicast on the public internet is allocated from this block only; what lies outside
    /// it (and is not an IPv4 carrier above) is reserved or unassigned, never a remote image host.
    static let globalUnicast = AddressBlock("2000::/3", "global unicast")

    /// The internal block `address` falls in, or nil for a public unicast address.
    static func block(containing address: IPAddress) -> AddressBlock? {
        if address.isIPv4 { return ipv4.first { $0.contains(address) } }
        // ::/128 and ::1/128 sit inside ::/96 (IPv4-compatible); they are named as themselves.
        if let own = ipv6.first(where: { $0.contains(address) }) { return own }
        for carrier in ipv4Carriers where carrier.block.contains(address) {
            guard let inner = address.embeddedIPv4(at: carrier.offset), let block = block(containing: inner) else { return nil }
            return AddressBlock(carrier.block.network, carrier.block.prefixLength, "\(carrier.block.purpose) form of \(block)")
        }
        guard globalUnicast.contains(address) else {
            return AddressBlock(IPAddress(bytes: [UInt8](repeating: 0, count: 16))!, 0, "outside \(globalUnicast)")
        }
        return nil
    }

    static func isInternal(_ address: IPAddress) -> Bool { block(containing: address) != nil }
}

extension AddressBlock {
    init(_ network: IPAddress, _ prefixLength: Int, _ purpose: String) {
        self.network = network
        self.prefixLength = prefixLength
        self.purpose = purpose
    }
}
