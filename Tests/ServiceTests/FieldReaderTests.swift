import Foundation
import Testing
@testable import Service

@Suite struct FieldReaderTests {
    private func reader(_ json: String) throws -> FieldReader {
        try FieldReader.parseBody(Array(json.utf8))
    }

    private func expectField(_ field: String, status: Int = 400, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an APIError naming \(field)")
        } catch let error as APIError {
            #expect(error.field == field, "\(error)")
            #expect(error.status == status)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func emptyAndNonObjectBodiesAreMalformed() {
        #expect(throws: APIError.self) { try FieldReader.parseBody([UInt8]()) }
        #expect(throws: APIError.self) { try reader("[1, 2]") }
        #expect(throws: APIError.self) { try reader("{\"a\": ") }
    }

    @Test func typedMembersAreRead() throws {
        let r = try reader(#"{"query": "红色的汽车", "k": 5, "min_score": 0.2, "stream": false, "lang": "zh-raw"}"#)
        #expect(try r.requiredString("query") == "红色的汽车")
        #expect(try r.int("k", in: 1...100) == 5)
        #expect(try r.number("min_score") == 0.2)
        #expect(try r.bool("stream") == false)
        #expect(try r.string("absent") == nil)
    }

    @Test func wrongTypesNameTheField() throws {
        let r = try reader(#"{"query": 3, "k": "five", "labels": ["cat", 7], "filter": []}"#)
        expectField("query") { _ = try r.string("query") }
        expectField("k") { _ = try r.int("k", in: 1...10) }
        expectField("labels[1]") { _ = try r.strings("labels", limit: 10) }
        expectField("filter") { _ = try r.object("filter") }
    }

    @Test func rangesAndCountsAreEnforced() throws {
        let r = try reader(#"{"k": 0, "labels": ["a", "b", "c"], "empty": []}"#)
        expectField("k") { _ = try r.int("k", in: 1...100) }
        expectField("labels", status: 413) { _ = try r.strings("labels", limit: 2) }
        expectField("empty") { _ = try r.strings("empty", limit: 2) }
    }

    @Test func unknownMembersAreRefusedByName() throws {
        let r = try reader(#"{"query": "x", "kk": 3}"#)
        expectField("kk") { try r.rejectUnknown(["query", "k"]) }
    }

    @Test func nestedObjectsReportFullPaths() throws {
        let r = try reader(#"{"filter": {"colour": 3}}"#)
        let filter = try #require(try r.object("filter"))
        expectField("filter.colour") { _ = try filter.string("colour") }
    }

    @Test func enumChoicesListTheAllowedValues() throws {
        enum Format: String, CaseIterable { case float, base64 }
        let r = try reader(#"{"encoding_format": "hex"}"#)
        do {
            _ = try r.choice("encoding_format", as: Format.self)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.detail.contains("float, base64"))
        }
    }

    @Test func nullIsRefusedNamingTheFieldNotSilentlyIgnored() throws {
        let r = try reader(#"{"model": null, "k": null}"#)
        expectField("model") { _ = try r.string("model") }
        expectField("k") { _ = try r.int("k", in: 1...10) }
        #expect(try r.string("absent") == nil)
    }
}
