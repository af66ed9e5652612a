import TestSupport
import Testing
@testable import HTTPServer

/// Property: a valid byte stream parses to the same requests however the network splits it.
@Suite struct HTTPRequestSplitPropertyTests {
    /// A random valid request: method, target with query, 0-6 extra fields, and a body framed by
    /// Content-Length, chunked (with extensions and trailers) or nothing.
    static func randomRequest(_ rng: inout SplitMix64) -> String {
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
        let method = methods[Int(rng.next() % UInt64(methods.count))]
        let segments = (0..<Int(rng.next() % 4)).map { _ in randomWord(&rng) }
        var target = "/" + segments.joined(separator: "/")
        if rng.next() % 2 == 0 { target += "?k=\(randomWord(&rng))&x=%20" }
        let version = rng.next() % 5 == 0 ? "HTTP/1.0" : "HTTP/1.1"
        var head = "\(method) \(target) \(version)\r\nHost: h\(rng.next() % 100)\r\n"
        for i in 0..<Int(rng.next() % 7) { head += "X-F\(i):\(rng.next() % 2 == 0 ? " " : "")\(randomWord(&rng))\t\r\n" }
        let body = String(repeating: randomWord(&rng), count: Int(rng.next() % 40))
        switch rng.next() % 3 {
        case 0 where version == "HTTP/1.1":
            head += "Transfer-Encoding: chunked\r\n\r\n"
            var rest = Substring(body)
            while !rest.isEmpty {
                let n = min(rest.count, 1 + Int(rng.next() % 17))
                head += String(n, radix: 16) + (rng.next() % 3 == 0 ? ";ext=1" : "") + "\r\n" + rest.prefix(n) + "\r\n"
                rest = rest.dropFirst(n)
            }
            return head + "0\r\n" + (rng.next() % 2 == 0 ? "Trailer-A: t\r\n" : "") + "\r\n"
        case 1:
            return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        default:
            return head + "\r\n"
        }
    }

    static func randomWord(_ rng: inout SplitMix64) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-._~")
        return String((0..<(1 + Int(rng.next() % 8))).map { _ in letters[Int(rng.next() % UInt64(letters.count))] })
    }

    static func randomSplit(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let n = 1 + Int(rng.next() % UInt64(min(bytes.count - i, 1 + Int(rng.next() % 64))))
            chunks.append(Array(bytes[i..<(i + n)]))
            i += n
        }
        return chunks
    }

    @Test func anySplitOfPipelinedRequestsGivesTheSameParse() throws {
        var rng = SplitMix64(seed: 0xC11F)
        for trial in 0..<300 {
            let stream = (0..<(1 + Int(rng.next() % 4))).map { _ in Self.randomRequest(&rng) }.joined()
            let bytes = Array(stream.utf8)
            let whole = try ParserDriver.parse([bytes])
            #expect(whole.count >= 1, "trial \(trial): nothing parsed from \(stream.debugDescription)")
            for _ in 0..<5 {
                let split = Self.randomSplit(bytes, &rng)
                let parsed = try ParserDriver.parse(split)
                #expect(parsed == whole, "trial \(trial) split \(split.map(\.count)): \(parsed) vs \(whole)")
            }
        }
    }

    @Test func everySingleCutPointGivesTheSameParse() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<40 {
            let bytes = Array((Self.randomRequest(&rng) + Self.randomRequest(&rng)).utf8)
            let whole = try ParserDriver.parse([bytes])
            for cut in 0...bytes.count {
                let parsed = try ParserDriver.parse([Array(bytes[..<cut]), Array(bytes[cut...])])
                #expect(parsed == whole, "cut at \(cut)")
            }
            #expect(try ParserDriver.parse(bytes.map { [$0] }) == whole)
        }
    }
}
