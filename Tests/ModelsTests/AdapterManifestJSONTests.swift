import Foundation
import JSON
import Testing
@testable import Models

/// How adapter manifests read JSON: Python's grammar and Python's way of quoting values.
@Suite struct AdapterManifestJSONTests {
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
