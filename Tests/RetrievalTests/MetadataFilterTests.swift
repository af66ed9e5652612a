import Foundation
import JSON
import Testing
@testable import Retrieval

/// Metadata filters against a real store: which keys can be matched, how large a filter may be,
/// and that every refusal is a `MetadataFilterRefusal` raised before SQLite sees anything.
@Suite struct MetadataFilterTests {
    static let dimension = 8

    /// A store holding `metadata` rows (item i has metadata[i]); its directory is removed after `body`.
    static func withStore(_ metadata: [[String: JSONValue]], _ body: (ImageStore) throws -> Void) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ImageStore(directory: dir, space: try EmbeddingSpace(modelID: "test-clip", dimension: dimension))
        _ = try store.add(makeItems(metadata.count, dimension: dimension, seed: 7) { metadata[$0] })
        try body(store)
        try store.close()
    }

    /// Uris (as item numbers) of the items matching `filter`, in number order.
    static func matches(_ store: ImageStore, _ filter: MetadataFilter) throws -> [Int] {
        try store.search([Float](repeating: 1, count: dimension), k: 100, filter: filter)
            .map { Int($0.item.uri.split(separator: "/").last!.split(separator: ".").first!)! }.sorted()
    }

    @Test func keysWithPathSyntaxInsideMatchExactlyThatKey() throws {
        let keys = ["a.b", "a[0]", "$", "*", "a b", "it's", "é", "雨", "a/b", "#", String(repeating: "k", count: 1024)]
        let metadata: [[String: JSONValue]] = keys.map { [$0: .string("yes")] } + [["a": .object(["b": .string("yes")])], ["a": .array([.string("yes")])]]
        try Self.withStore(metadata) { (store) throws in
            for (index, key) in keys.enumerated() {
                #expect(try Self.matches(store, [key: .string("yes")]) == [index], "\(key.prefix(20))")
            }
        }
    }

    @Test func theStoreAcceptsAFilterOfCeilingKeysAndMatchesAllOfThem() throws {
        let keys = MetadataFilterLimits.ceiling.maxKeys
        var full: [String: JSONValue] = [:]
        for i in 0..<keys { full["key\(i)"] = i.isMultiple(of: 3) ? .number(Double(i)) : i.isMultiple(of: 7) ? .bool(true) : i.isMultiple(of: 11) ? .null : .string("v\(i)") }
        var lacksOne = full
        lacksOne["key\(keys - 1)"] = .string("other")
        try Self.withStore([full, lacksOne, [:]]) { (store) throws in
            #expect(try Self.matches(store, full) == [0])
            #expect(try Self.matches(store, lacksOne) == [1])
        }
    }

    @Test func theStoreRefusesFiltersPastItsCeilingBeforeAnySQL() throws {
        try Self.withStore([["a": .string("x")]]) { (store) throws in
            var tooMany: MetadataFilter = [:]
            for i in 0...MetadataFilterLimits.ceiling.maxKeys { tooMany["k\(i)"] = .null }
            #expect(throws: MetadataFilterRefusal.tooManyKeys(count: 65, limit: 64)) { try Self.matches(store, tooMany) }
            #expect(throws: MetadataFilterRefusal.invalidKey(.forbiddenCharacter, limit: 1024)) { try Self.matches(store, ["a\u{0}b": .null]) }
            #expect(throws: MetadataFilterRefusal.invalidKey(.forbiddenCharacter, limit: 1024)) { try Self.matches(store, ["a\"b": .null]) }
            #expect(throws: MetadataFilterRefusal.invalidKey(.empty, limit: 1024)) { try Self.matches(store, ["": .null]) }
            #expect(throws: MetadataFilterRefusal.valueNotScalar(key: "a")) { try Self.matches(store, ["a": .array([])]) }
        }
    }

    @Test(arguments: [
        ("plain", nil), ("a.b[0]", nil), ("雨の", nil), ("tab\there", MetadataFilterRules.KeyProblem.forbiddenCharacter),
        ("nul\u{0}", .forbiddenCharacter), ("quote\"", .forbiddenCharacter), ("b\\s", .forbiddenCharacter),
        ("del\u{7F}", .forbiddenCharacter), ("l\nb", .forbiddenCharacter), ("", .empty),
        ("12345678", nil), ("123456789", .tooLong(bytes: 9)), ("ééééé", .tooLong(bytes: 10)),
    ])
    func keyRules(key: String, problem: MetadataFilterRules.KeyProblem?) {
        #expect(MetadataFilterRules.keyProblem(key, maxBytes: 8) == problem)
    }

    @Test func limitsAreCheckedCountFirstThenKeysInSortedOrderKeyBeforeValue() {
        let limits = MetadataFilterLimits(maxKeys: 2, maxKeyBytes: 4, maxValueBytes: 3)
        #expect(throws: MetadataFilterRefusal.tooManyKeys(count: 3, limit: 2)) {
            try MetadataFilterRules.check(["a": .null, "b": .null, "toolong": .array([])], limits: limits)
        }
        #expect(throws: MetadataFilterRefusal.valueTooLong(key: "a", bytes: 4, limit: 3)) {
            try MetadataFilterRules.check(["a": .string("four"), "b": .object([:])], limits: limits)
        }
        #expect(throws: MetadataFilterRefusal.invalidKey(.tooLong(bytes: 5), limit: 4)) {
            try MetadataFilterRules.check(["b": .array([]), "abcde": .null], limits: limits)
        }
        #expect(throws: Never.self) { try MetadataFilterRules.check(["abcd": .string("abc"), "b": .number(1)], limits: limits) }
    }

    @Test func refusalsNameTheMemberAndNeverQuoteAnInvalidKey() {
        let hostile = String(repeating: "x", count: 5000) + "\u{0}"
        let refusal = MetadataFilterRefusal.invalidKey(MetadataFilterRules.keyProblem(hostile, maxBytes: 256)!, limit: 256)
        #expect(refusal.member == "filter")
        #expect(!refusal.description.contains("xxxx"))
        #expect(refusal.description.contains("1 to 256 bytes"))
        #expect(MetadataFilterRefusal.valueNotScalar(key: "album").member == "filter.album")
    }
}
