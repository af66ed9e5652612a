import Digests
import Foundation
import Numerics

/// A memory-mapped `.safetensors` checkpoint: an 8-byte little-endian header length, a JSON
/// header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then
/// the tensor bytes (offsets relative to the end of the header).
///
/// Format reference: huggingface/safetensors, `SafeTensors::read_metadata` / `Metadata::validate`.
/// Everything in the header is checked before any tensor is read: offsets inside the data
/// area and not overlapping, known dtypes, shape × dtype size = byte length. Tensors are
/// converted to Float32 one at a time, on request.
public final class SafeTensorsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range inside the data area (after the header).
        public let dataRange: Range<Int>
    }

    /// Refuse headers larger than this: safetensors itself caps them at 100 MB.
    public static let maximumHeaderBytes = 100_000_000

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        self.file = file
        self.path = path
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw ModelError.invalidSafeTensors(path: path, reason: "file is \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let declared = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(Self.maximumHeaderBytes), Int(declared) <= bytes.count - 8 else {
            throw ModelError.invalidSafeTensors(
                path: path, reason: "header length \(declared) exceeds the file (\(bytes.count) bytes) or the \(Self.maximumHeaderBytes)-byte limit")
        }
        let headerLength = Int(declared)
        dataStart = 8 + headerLength
        let headerBytes = Data(bytes[8..<dataStart])
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            throw ModelError.invalidSafeTensors(path: path, reason: "header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw ModelError.invalidSafeTensors(path: path, reason: "header is not a JSON object")
        }
        let dataSize = bytes.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let pairs = value as? [String: Any] else {
                    throw ModelError.invalidSafeTensors(path: path, reason: "__metadata__ is not an object")
                }
                for (key, text) in pairs {
                    guard let text = text as? String else {
                        throw ModelError.invalidSafeTensors(path: path, reason: "__metadata__ value for '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try Self.entry(named: name, from: value, dataSize: dataSize)
        }
        try Self.checkNoOverlap(entries.values)
        self.entries = entries
        self.metadata = metadata
    }

    /// Lower-case hex SHA-256 of the whole file as mapped: what a model's identity is keyed by.
    public func sha256() -> String { SHA256.hexDigest(of: file.bytes) }

    /// The tensor `name` converted to Float32.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw ModelError.missingTensor(name) }
        let count = entry.dataRange.count / entry.dtype.byteSize
        let source = UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + entry.dataRange.lowerBound)...])
        var scalars = [Float](repeating: 0, count: count)
        // The data area need not be aligned for the element type, hence the unaligned loads.
        switch entry.dtype {
        case .f32:
            scalars.withUnsafeMutableBytes { target in
                if let base = target.baseAddress, let from = source.baseAddress { base.copyMemory(from: from, byteCount: count * 4) }
            }
            for i in 0..<count { scalars[i] = Float(bitPattern: UInt32(littleEndian: scalars[i].bitPattern)) }
        case .f16:
            for i in 0..<count {
                scalars[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bf16:
            for i in 0..<count {
                scalars[i] = HalfPrecision.float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        default:
            throw ModelError.unsupportedDType(tensor: name, dtype: entry.dtype.rawValue)
        }
        return try Tensor(shape: entry.shape, scalars: scalars)
    }

    private static func entry(named name: String, from value: Any, dataSize: Int) throws -> Entry {
        func bad(_ reason: String) -> ModelError { .invalidTensorEntry(tensor: name, reason: reason) }
        guard let fields = value as? [String: Any] else { throw bad("entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw bad("missing or non-string dtype") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw bad("unknown dtype \(dtypeName)") }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw bad("shape must be an array of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw bad("data_offsets must be [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else { throw bad("data_offsets [\(begin), \(end)] are reversed or negative") }
        guard end <= dataSize else {
            throw bad("data_offsets [\(begin), \(end)] run past the data area (\(dataSize) bytes; file truncated?)")
        }
        guard let elements = Tensor.elementCount(of: shape) else { throw bad("shape \(shape) overflows") }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == end - begin else {
            throw bad("shape \(shape) of \(dtypeName) needs \(overflow ? "too many" : String(byteCount)) bytes, data_offsets give \(end - begin)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// JSON integers only: a fractional or out-of-range number is not an offset or a dimension.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            guard let number = element as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 0x1p62 else { return nil }
            result.append(number.intValue)
        }
        return result
    }

    private static func checkNoOverlap(_ entries: some Collection<Entry>) throws {
        let sorted = entries.filter { !$0.dataRange.isEmpty }.sorted { $0.dataRange.lowerBound < $1.dataRange.lowerBound }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.dataRange.lowerBound < previous.dataRange.upperBound {
            throw ModelError.invalidTensorEntry(
                tensor: next.name,
                reason: "data_offsets \(next.dataRange) overlap those of '\(previous.name)' \(previous.dataRange)")
        }
    }
}
