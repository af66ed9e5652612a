import Foundation
import Testing
@testable import Models

/// The JSON reader behind adapter.json and the adapter's safetensors header: it must type
/// values as Python's `json` does, since the contract refuses `32.0` and `true` as integers.
@Suite struct AdapterManifestJSONTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func integersNumbersAndBooleansStayDistinct() throws {
        #expect(try parse("32") == .integer(32))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("32.0") == .number(32))
        #expect(try parse("3e1") == .number(30))
        #expect(try parse("1E-5") == .number(1e-5))
        #expect(try parse("true") == .bool(true))
        #expect(try parse("null") == .null)
        #expect(try parse("99999999999999999999") == .number(1e20))
        #expect(try parse(" [1, 2.5, false, \"x\"] ") == .array([.integer(1), .number(2.5), .bool(false), .string("x")]))
    }

    @Test func pythonsNonFiniteLiteralsAreAccepted() throws {
        guard case .number(let nan) = try parse("NaN") else { Issue.record("NaN"); return }
        #expect(nan.isNaN)
        #expect(try parse("Infinity") == .number(.infinity))
        #expect(try parse("-Infinity") == .number(-.infinity))
    }

    @Test func stringsDecodeEscapesAndUTF8() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t""#) == .string("a\"b\\c/d\n\t"))
        #expect(try parse(#""\u4e2d文""#) == .string("中文"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func objectsKeepTheLastDuplicate() throws {
        #expect(try parse(#"{"a": 1, "b": {}, "a": 2}"#) == .object(["a": .integer(2), "b": .object([:])]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "01", "1.", ".5", "+1", "1e", "tru", "\"abc", "\"a\u{01}b\"",
        #""\x""#, #""\u12G4""#, #""\u+123""#, "{} x", "nan", "-inf",
    ]) func malformedInputIsRefused(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func nestingIsBounded() {
        #expect(throws: JSONParseError.self) { try parse(String(repeating: "[", count: 10_000)) }
        #expect((try? parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))) != nil)
    }

    /// Python's `json.dumps`, which error messages quote.
    @Test func pythonDescriptionMatchesJSONDumps() throws {
        #expect(JSONValue.number(48).pythonDescription == "48.0")
        #expect(JSONValue.number(1e-5).pythonDescription == "1e-05")
        #expect(JSONValue.number(.nan).pythonDescription == "NaN")
        #expect(JSONValue.string("中文\"").pythonDescription == #""\u4e2d\u6587\"""#)
        #expect(JSONValue.array([.integer(1), .null, .bool(true)]).pythonDescription == "[1, null, true]")
        #expect(JSONValue.object(["b": .integer(1), "a": .string("x")]).pythonDescription == #"{"a": "x", "b": 1}"#)
    }

    @Test func nonFiniteEpsIsRefusedByItsField() throws {
        let directory = try AdapterManifestRefusalTests.copyOfValidAdapter()
        let url = directory.appendingPathComponent("adapter.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"layer_norm_eps\": 1e-05", with: "\"layer_norm_eps\": NaN")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(AdapterManifestRefusalTests.refusal(directory).map { "\($0)" }
            == "adapter.json: architecture.layer_norm_eps: must be a number in (0, 1), got NaN")
    }
}
