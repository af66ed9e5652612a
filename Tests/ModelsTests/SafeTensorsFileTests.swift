import Foundation
import TestSupport
import Testing
@testable import Models

/// Hand-built files: an 8-byte little-endian header length, a JSON header, then the data.
@Suite struct SafeTensorsFileTests {
    static func write(header: String, data: [UInt8], declaredLength: UInt64? = nil, truncateTo: Int? = nil) throws -> String {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        var length = (declaredLength ?? UInt64(headerBytes.count)).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes += headerBytes + data
        if let truncateTo { bytes = Array(bytes.prefix(truncateTo)) }
        let url = try TemporaryDirectory.make().appendingPathComponent("model.safetensors")
        try Data(bytes).write(to: url)
        return url.path
    }

    static func littleEndianBytes(_ values: [UInt16]) -> [UInt8] { values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }

    static func invalidEntry(_ tensor: String, _ reason: String) -> ModelError { .invalidTensorEntry(tensor: tensor, reason: reason) }

    @Test func convertsF32F16AndBF16ToFloat32() throws {
        let f32: [Float] = [1.5, -2.25]
        let f32Bytes = f32.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        // F16: 1.0, -2.0, 65504 (largest), 2^-24 (smallest subnormal), +inf. BF16: 1.0, -0.5.
        let f16 = Self.littleEndianBytes([0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00])
        let bf16 = Self.littleEndianBytes([0x3F80, 0xBF00])
        let header = """
            {"__metadata__":{"format":"pt"},
             "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
             "b":{"dtype":"F16","shape":[5,1],"data_offsets":[8,18]},
             "c":{"dtype":"BF16","shape":[2],"data_offsets":[18,22]}}
            """
        let file = try SafeTensorsFile(path: Self.write(header: header, data: f32Bytes + f16 + bf16))
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.tensor(named: "a").scalars == f32)
        let b = try file.tensor(named: "b")
        #expect(b.shape == [5, 1])
        #expect(b.scalars == [1, -2, 65504, 0x1p-24, .infinity])
        #expect(try file.tensor(named: "c").scalars == [1, -0.5])
    }

    @Test func scalarAndEmptyTensors() throws {
        let header = #"{"s":{"dtype":"F16","shape":[],"data_offsets":[0,2]},"e":{"dtype":"F32","shape":[0,4],"data_offsets":[2,2]}}"#
        let file = try SafeTensorsFile(path: Self.write(header: header, data: Self.littleEndianBytes([0x4000])))
        #expect(try file.tensor(named: "s").scalars == [2])
        #expect(try file.tensor(named: "e").shape == [0, 4])
    }

    @Test func headerLengthBeyondTheFileIsRejected() throws {
        let path = try Self.write(header: "{}", data: [], declaredLength: UInt64.max)
        #expect(throws: ModelError.invalidSafeTensors(
            path: path, reason: "header length \(UInt64.max) exceeds the file (10 bytes) or the 100000000-byte limit")) {
            try SafeTensorsFile(path: path)
        }
        let short = try Self.write(header: "{}", data: [], declaredLength: 3)
        #expect(throws: ModelError.self) { try SafeTensorsFile(path: short) }
    }

    @Test func fileShorterThanTheLengthPrefixIsRejected() throws {
        let path = try Self.write(header: "", data: [], truncateTo: 5)
        #expect(throws: ModelError.invalidSafeTensors(path: path, reason: "file is 5 bytes, shorter than the 8-byte header length")) {
            try SafeTensorsFile(path: path)
        }
    }

    @Test func truncatedDataNamesTheTensor() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        let path = try Self.write(header: header, data: [UInt8](repeating: 0, count: 16), truncateTo: 8 + header.utf8.count + 10)
        #expect(throws: Self.invalidEntry("w", "data_offsets [0, 16] run past the data area (10 bytes; file truncated?)")) {
            try SafeTensorsFile(path: path)
        }
    }

    @Test func overlappingRangesAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(throws: Self.invalidEntry("b", "data_offsets 4..<12 overlap those of 'a' 0..<8")) {
            try SafeTensorsFile(path: Self.write(header: header, data: [UInt8](repeating: 0, count: 12)))
        }
    }

    @Test func reversedOrNegativeOffsetsAreRejected() throws {
        let reversed = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#
        #expect(throws: Self.invalidEntry("a", "data_offsets [8, 4] are reversed or negative")) {
            try SafeTensorsFile(path: Self.write(header: reversed, data: [UInt8](repeating: 0, count: 8)))
        }
        let fractional = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}}"#
        #expect(throws: Self.invalidEntry("a", "data_offsets must be [begin, end]")) {
            try SafeTensorsFile(path: Self.write(header: fractional, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func unknownDTypeIsRejectedAtOpenAndUnconvertibleAtRead() throws {
        let unknown = #"{"q":{"dtype":"Q4_K","shape":[1],"data_offsets":[0,1]}}"#
        #expect(throws: Self.invalidEntry("q", "unknown dtype Q4_K")) {
            try SafeTensorsFile(path: Self.write(header: unknown, data: [0]))
        }
        let integers = #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#
        let file = try SafeTensorsFile(path: Self.write(header: integers, data: [UInt8](repeating: 0, count: 8)))
        #expect(throws: ModelError.unsupportedDType(tensor: "ids", dtype: "I64")) { try file.tensor(named: "ids") }
    }

    @Test func shapeTimesDTypeMustEqualTheByteRange() throws {
        let header = #"{"w":{"dtype":"F16","shape":[3,2],"data_offsets":[0,8]}}"#
        #expect(throws: Self.invalidEntry("w", "shape [3, 2] of F16 needs 12 bytes, data_offsets give 8")) {
            try SafeTensorsFile(path: Self.write(header: header, data: [UInt8](repeating: 0, count: 8)))
        }
        let huge = #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#
        #expect(throws: ModelError.self) {
            try SafeTensorsFile(path: Self.write(header: huge, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func malformedHeaderJSONIsRejected() throws {
        let path = try Self.write(header: #"{"a": [1, 2"#, data: [])
        #expect(throws: ModelError.invalidSafeTensors(path: path, reason: "header is not valid JSON")) {
            try SafeTensorsFile(path: path)
        }
        let array = try Self.write(header: "[1]", data: [])
        #expect(throws: ModelError.invalidSafeTensors(path: array, reason: "header is not a JSON object")) {
            try SafeTensorsFile(path: array)
        }
        let noShape = #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#
        #expect(throws: Self.invalidEntry("a", "shape must be an array of non-negative integers")) {
            try SafeTensorsFile(path: Self.write(header: noShape, data: [0, 0, 0, 0]))
        }
    }

    @Test func missingFileAndMissingTensor() throws {
        #expect(throws: ModelError.missingFile("/nonexistent/model.safetensors")) {
            try SafeTensorsFile(path: "/nonexistent/model.safetensors")
        }
        let file = try SafeTensorsFile(path: Self.write(header: "{}", data: []))
        #expect(throws: ModelError.missingTensor("nope")) { try file.tensor(named: "nope") }
    }
}
