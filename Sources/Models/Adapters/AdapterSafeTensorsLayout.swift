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

    let entries: [String: Entry]
    /// Offset of the data section in the file.
    let dataStart: Int

    init(bytes: UnsafeRawBufferPointer, file: String = AdapterManifest.weightsFileName) throws(AdapterCheckpointError) {
        func fail(_ field: String, _ detail: String) -> AdapterCheckpointError {
            AdapterCheckpointError(file: file, field: field, detail: detail)
        }
        guard bytes.count >= 8 else {
            throw fail("header", "file is \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header", "header length \(headerLength) runs past the end of the file (\(bytes.count) bytes): file truncated")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = bytes[8..<dataStart]
        let header: JSONValue
        do {
            guard String(validating: headerBytes, as: UTF8.self) != nil else {
                throw JSONParseError(offset: 0, reason: "invalid UTF-8")
            }
            header = try JSONValue.parse(headerBytes)
        } catch {
            throw fail("header", "not valid UTF-8 JSON (\(error))")
        }
        guard let fields = header.object else { throw fail("header", "is not a JSON object") }

        let dataLength = bytes.count - dataStart
        var entries: [String: Entry] = [:]
        for name in fields.keys.sorted(by: pythonOrder) where name != "__metadata__" {
            let field = "tensor \(name)"
            guard let entry = fields[name]?.object else { throw fail(field, "header entry is not an object") }
            let dtypeValue = entry["dtype"] ?? .null
            guard case .string(let dtypeName) = dtypeValue, let dtype = SafeTensorsDType(rawValue: dtypeName),
                Self.dtypes.contains(dtype)
            else {
                throw fail(field, "dtype \(dtypeValue.pythonDescription) is not one of [\(Self.dtypes.map(\.rawValue).joined(separator: ", "))]")
            }
            let shapeValue = entry["shape"] ?? .null
            guard let shape = Self.counts(shapeValue) else {
                throw fail(field, "shape \(shapeValue.pythonDescription) is not a list of non-negative integers")
            }
            let offsetsValue = entry["data_offsets"] ?? .null
            guard let offsets = Self.counts(offsetsValue), offsets.count == 2, offsets[0] <= offsets[1] else {
                throw fail(field, "data_offsets \(offsetsValue.pythonDescription) is not [begin, end] with begin <= end")
            }
            let (begin, end) = (offsets[0], offsets[1])
            let needed = Tensor.byteCount(shape: shape, elementSize: dtype.byteSize)
            guard needed == end - begin else {
                throw fail(field, "data_offsets span \(end - begin) bytes but \(dtype.rawValue) \(shape) needs \(needed.map(String.init) ?? "more than Int.max")")
            }
            guard end <= dataLength else {
                throw fail(field, "data ends at byte \(end) but the data section has only \(dataLength) bytes: file truncated")
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
        }
        let covered = entries.values.map(\.end).max() ?? 0
        guard covered == dataLength else {
            throw fail("data", "data section is \(dataLength) bytes but the tensors cover \(covered)")
        }
        let ordered = entries.values.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, current) in zip(ordered, ordered.dropFirst()) where current.begin < previous.end {
            throw fail("tensor \(current.name)", "data_offsets overlap tensor \(previous.name)")
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
