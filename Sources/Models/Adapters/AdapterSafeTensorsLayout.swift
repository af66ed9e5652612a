import JSON
import Numerics

/// The structure of an adapter's safetensors file, checked rule by rule before any tensor is
/// decoded (check 13 of docs/adapters.md), so that every refusal names the part at fault.
///
///     bytes [0, 8)        N, little-endian UInt64: header length
///     bytes [8, 8 + N)    UTF-8 JSON object: name → {dtype, shape, data_offsets: [begin, end]},
///                         plus an optional "__metadata__" (ignored)
///     bytes [8 + N, end)  the data section; offsets relative to its start
///
/// Reference: training/adaptclip_training/safetensors_layout.py, `read_layout` (same checks,
/// same order: entries by sorted name, then coverage, then overlap). Stricter than
/// `SafeTensorsFile` (trailing bytes are refused) and limited to the adapter dtypes.
struct AdapterSafeTensorsLayout {
    struct Entry: Equatable {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        /// Byte range in the data section.
        let begin: Int
        let end: Int
    }

    static let dtypes: [SafeTensorsDType] = [.bf16, .f16, .f32]

    /// Largest header read: an adapter's is a few kilobytes (about a hundred bytes a tensor);
    /// the bound keeps a hostile length from being read and parsed.
    static let maximumHeaderBytes = 1 << 20

    let entries: [String: Entry]
    /// Offset of the data section in the file.
    let dataStart: Int

    /// Reads the header only (8 bytes, then at most `maximumHeaderBytes`) and checks every
    /// entry's offsets against the file's size before any tensor byte is read.
    init(file: AdapterCheckpointFile) throws(AdapterCheckpointError) {
        func fail(_ field: String, _ detail: String) -> AdapterCheckpointError {
            AdapterCheckpointError(file: file.name, field: field, detail: detail)
        }
        /// A refusal of a tensor the file names: the redacted form does not repeat the name.
        func failTensor(_ name: String, _ detail: String, requirement: String) -> AdapterCheckpointError {
            AdapterCheckpointError(file: file.name, field: "tensor \(name)", detail: detail, requirement: requirement, redactedField: "tensor")
        }
        let size = file.size
        guard size >= 8 else {
            throw fail("header", "file is \(size) bytes, shorter than the 8-byte header length")
        }
        let headerLength = try file.read(offset: 0, count: 8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(size - 8) else {
            throw AdapterCheckpointError(
                file: file.name, field: "header",
                detail: "header length \(headerLength) runs past the end of the file (\(size) bytes): file truncated",
                requirement: "header length must fit inside the file: file truncated")
        }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw fail("header", "header length \(headerLength) exceeds the \(Self.maximumHeaderBytes)-byte limit")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = try file.read(offset: 8, count: Int(headerLength))
        let header: JSONValue
        do {
            guard String(validating: headerBytes, as: UTF8.self) != nil else {
                throw JSONParseError(offset: 0, reason: "invalid UTF-8")
            }
            header = try JSONValue.parse(headerBytes, grammar: .python)
        } catch {
            throw fail("header", "not valid UTF-8 JSON (\(error))")
        }
        guard let fields = header.object else { throw fail("header", "is not a JSON object") }

        let dataLength = size - dataStart
        var entries: [String: Entry] = [:]
        for name in fields.keys.sorted(by: pythonOrder) where name != "__metadata__" {
            guard let entry = fields[name]?.object else {
                throw failTensor(name, "header entry is not an object", requirement: "every header entry must be an object")
            }
            let dtypeValue = entry["dtype"] ?? .null
            guard case .string(let dtypeName) = dtypeValue, let dtype = SafeTensorsDType(rawValue: dtypeName),
                Self.dtypes.contains(dtype)
            else {
                let choices = "[\(Self.dtypes.map(\.rawValue).joined(separator: ", "))]"
                throw failTensor(name, "dtype \(dtypeValue.pythonDescription) is not one of \(choices)", requirement: "dtype must be one of \(choices)")
            }
            let shapeValue = entry["shape"] ?? .null
            guard let shape = Self.counts(shapeValue) else {
                throw failTensor(
                    name, "shape \(shapeValue.pythonDescription) is not a list of non-negative integers",
                    requirement: "shape must be a list of non-negative integers")
            }
            let offsetsValue = entry["data_offsets"] ?? .null
            guard let offsets = Self.counts(offsetsValue), offsets.count == 2, offsets[0] <= offsets[1] else {
                throw failTensor(
                    name, "data_offsets \(offsetsValue.pythonDescription) is not [begin, end] with begin <= end",
                    requirement: "data_offsets must be [begin, end] with begin <= end")
            }
            let (begin, end) = (offsets[0], offsets[1])
            let needed = Tensor.byteCount(shape: shape, elementSize: dtype.byteSize)
            guard needed == end - begin else {
                throw failTensor(
                    name, "data_offsets span \(end - begin) bytes but \(dtype.rawValue) \(shape) needs \(needed.map(String.init) ?? "more than Int.max")",
                    requirement: "data_offsets must span the bytes its dtype and shape need")
            }
            guard end <= dataLength else {
                throw failTensor(
                    name, "data ends at byte \(end) but the data section has only \(dataLength) bytes: file truncated",
                    requirement: "data_offsets must lie inside the data section: file truncated")
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
        }
        let covered = entries.values.map(\.end).max() ?? 0
        guard covered == dataLength else {
            throw AdapterCheckpointError(
                file: file.name, field: "data", detail: "data section is \(dataLength) bytes but the tensors cover \(covered)",
                requirement: "the tensors must cover the data section exactly")
        }
        let ordered = entries.values.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, current) in zip(ordered, ordered.dropFirst()) where current.begin < previous.end {
            throw failTensor(
                current.name, "data_offsets overlap tensor \(previous.name)", requirement: "data_offsets must not overlap another tensor's")
        }
        self.entries = entries
    }

    /// A JSON array of non-negative integers (not booleans, not 2.0), or nil.
    private static func counts(_ value: JSONValue) -> [Int]? {
        guard case .array(let items) = value else { return nil }
        var result: [Int] = []
        for item in items {
            guard case .integer(let n) = item, n >= 0 else { return nil }
            result.append(n)
        }
        return result
    }
}

extension Tensor {
    /// Bytes of a tensor of `shape` with `elementSize`-byte elements, or nil on overflow.
    static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        guard let elements = Tensor.elementCount(of: shape) else { return nil }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: elementSize)
        return overflow ? nil : bytes
    }
}
