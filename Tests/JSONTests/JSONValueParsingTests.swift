import Foundation
import Testing
import JSON

/// The one JSON reader of requests, configuration, adapter manifests and stored metadata: it must
/// type values as Python's `json` does, since the adapter contract refuses `32.0` and `true` as
/// integers.
@Suite struct JSONValueParsingTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8), grammar: .python) }

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

    @Test func rfc8259RefusesPythonsNonFiniteLiterals() {
        for text in ["NaN", "Infinity", "-Infinity", "[1, NaN]"] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8)) }
        }
    }

    @Test func invalidUTF8InAStringIsRefusedWhereItStands() throws {
        let bytes: [UInt8] = Array(#"{"k": "ab"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
        let escaped: [UInt8] = Array(#""\n"#.utf8) + [0xC3] + [UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSONValue.parse(escaped) }
        #expect(try JSONValue.parse(Array(#""é\n€""#.utf8)) == .string("é\n€"))
    }

    @Test func integralNumbersServeAsIntegers() throws {
        #expect(JSONValue.integer(7).integralValue == 7)
        #expect(JSONValue.number(10).integralValue == 10)
        #expect(JSONValue.number(10.5).integralValue == nil)
        #expect(JSONValue.number(1e300).integralValue == nil)
        #expect(JSONValue.string("7").integralValue == nil)
    }

    @Test func encodingWritesIntegralNumbersWithoutAFraction() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = JSONValue.object(["a": .number(2020), "b": .number(0.5), "c": .integer(-3), "d": .array([.null, .bool(false)])])
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == #"{"a":2020,"b":0.5,"c":-3,"d":[null,false]}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value)) == .object(["a": .integer(2020), "b": .number(0.5), "c": .integer(-3), "d": .array([.null, .bool(false)])]))
    }
}
