import Testing
@testable import Service

/// The address classification of image_url fetches, block by block: the first and last address
/// of every internal block are internal (under that block's purpose), and the neighbours just
/// outside are public unless another block holds them.
@Suite struct InternalAddressesTests {
    /// (block, first address, last address, the address before the first, the address after the last).
    /// A nil neighbour is outside the address space or inside another listed block (checked below).
    static let ipv4Edges: [(String, String, String, String?, String?)] = [
        ("0.0.0.0/8", "0.0.0.0", "0.255.255.255", nil, "1.0.0.0"),
        ("10.0.0.0/8", "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"),
        ("100.64.0.0/10", "100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"),
        ("127.0.0.0/8", "127.0.0.0", "127.255.255.255", "126.255.255.255", "128.0.0.0"),
        ("169.254.0.0/16", "169.254.0.0", "169.254.255.255", "169.253.255.255", "169.255.0.0"),
        ("172.16.0.0/12", "172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"),
        ("192.0.0.0/24", "192.0.0.0", "192.0.0.255", "191.255.255.255", "192.0.1.0"),
        ("192.0.2.0/24", "192.0.2.0", "192.0.2.255", "192.0.1.255", "192.0.3.0"),
        ("192.168.0.0/16", "192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"),
        ("198.18.0.0/15", "198.18.0.0", "198.19.255.255", "198.17.255.255", "198.20.0.0"),
        ("198.51.100.0/24", "198.51.100.0", "198.51.100.255", "198.51.99.255", "198.51.101.0"),
        ("203.0.113.0/24", "203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"),
        ("224.0.0.0/4", "224.0.0.0", "239.255.255.255", "223.255.255.255", nil),
        ("255.255.255.255/32", "255.255.255.255", "255.255.255.255", nil, nil),
        ("240.0.0.0/4", "240.0.0.0", "255.255.255.254", nil, nil),
    ]

    /// Neighbours outside 2000::/3 are internal for that reason (see the next tests), so they are nil here.
    static let ipv6Edges: [(String, String, String, String?, String?)] = [
        ("::/128", "::", "::", nil, nil),
        ("::1/128", "::1", "::1", nil, nil),
        ("64:ff9b:1::/48", "64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", nil, nil),
        ("100::/64", "100::", "100::ffff:ffff:ffff:ffff", nil, nil),
        ("2001::/32", "2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:1::"),
        ("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"),
        ("3fff::/20", "3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"),
        ("fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, nil),
        ("fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, nil),
        ("fec0::/10", "fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, nil),
        ("ff00::/8", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nil, nil),
    ]

    /// Outside 2000::/3 (global unicast) and not an IPv4 carrier: reserved or unassigned.
    @Test(arguments: ["::1:0:0:0", "1::", "100:0:0:1::", "64:ff9b::1:0:0", "64:ff9b:2::", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                      "4000::", "8000::1", "e000::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"])
    func ipv6OutsideGlobalUnicastIsInternal(text: String) {
        #expect(Self.block(text)?.purpose == "outside 2000::/3 (global unicast)", "\(text)")
    }

    @Test(arguments: ["2000::", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"])
    func theEdgesOfGlobalUnicastArePublic(text: String) {
        #expect(Self.block(text) == nil, "\(text)")
    }

    static func block(_ text: String) -> AddressBlock? {
        guard let address = IPAddress(text) else {
            Issue.record("\(text) does not parse")
            return nil
        }
        return InternalAddresses.block(containing: address)
    }

    @Test(arguments: ipv4Edges + ipv6Edges)
    func everyInternalBlockIsInternalToItsEdgesAndNoFurther(edges: (String, String, String, String?, String?)) {
        let (cidr, first, last, before, after) = edges
        for inside in [first, last] {
            let block = Self.block(inside)
            #expect(block.map { "\($0.network)/\($0.prefixLength)" } == cidr, "\(inside) should be in \(cidr), got \(block.map { "\($0)" } ?? "public")")
        }
        for outside in [before, after].compactMap({ $0 }) {
            #expect(Self.block(outside) == nil, "\(outside) is just outside \(cidr) and public")
        }
    }

    @Test func theTablesAreExactlyTheDocumentedBlocks() {
        #expect(InternalAddresses.ipv4.map { "\($0.network)/\($0.prefixLength)" } == Self.ipv4Edges.map(\.0))
        #expect(InternalAddresses.ipv6.map { "\($0.network)/\($0.prefixLength)" } == Self.ipv6Edges.map(\.0))
    }

    /// IPv6 forms that carry an IPv4 address take that address's verdict, whatever the spelling.
    @Test(arguments: [
        ("::ffff:127.0.0.1", true), ("::ffff:7f00:1", true), ("0:0:0:0:0:ffff:7f00:1", true), ("::ffff:10.1.2.3", true),
        ("::ffff:8.8.8.8", false),
        ("::ffff:0:127.0.0.1", true), ("::ffff:0:8.8.8.8", false),
        ("::127.0.0.1", true), ("::10.0.0.1", true), ("::0.0.0.2", true), ("::8.8.8.8", false),
        ("64:ff9b::127.0.0.1", true), ("64:ff9b::a9fe:a9fe", true), ("64:ff9b::192.168.1.1", true), ("64:ff9b::8.8.8.8", false),
        ("2002:7f00:1::", true), ("2002:c0a8:101::1", true), ("2002:a00:1:ffff::", true), ("2002:808:808::1", false),
        ("::ffff:224.0.0.1", true), ("::ffff:240.0.0.1", true), ("64:ff9b::c612:1", true),
    ])
    func addressesCarryingIPv4AreJudgedByIt(text: String, isInternal: Bool) {
        #expect((Self.block(text) != nil) == isInternal, "\(text): \(Self.block(text).map { "\($0)" } ?? "public")")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "2a00:1450:4001::1", "2001:4860::8888", "2003::1"])
    func publicUnicastAddressesArePublic(text: String) {
        #expect(Self.block(text) == nil)
    }

    @Test func addressesAreParsedStrictlyAndComparedAsBytes() {
        // inet_aton shorthand is not an address here (a URL host like that is resolved, then judged).
        for text in ["127.1", "0x7f.0.0.1", "017700000001", "2130706433", "localhost", "", "1.2.3.4.5", "fe80::1%eth0"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
        #expect(IPAddress("::ffff:127.0.0.1") == IPAddress("::ffff:7f00:1"))
        #expect(IPAddress("[::1]") == IPAddress("0:0:0:0:0:0:0:1"))
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
    }

    @Test func anAllowListedAddressMatchesInAnySpelling() {
        let policy = ImageURLPolicy(allowedHosts: ["0:0:0:0:0:0:0:1", "images.example"], maxBytes: 1, timeoutSeconds: 1, maxRedirects: 0)
        #expect(policy.allows(host: "::1"))
        #expect(policy.allows(address: IPAddress("::1")!))
        #expect(policy.allows(host: "images.example"))
        #expect(!policy.allows(host: "127.0.0.1"))
        #expect(!policy.allows(address: IPAddress("::ffff:127.0.0.1")!))
    }
}
