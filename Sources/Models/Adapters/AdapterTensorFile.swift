import Digests
import Foundation
import Numerics

/// `adapter.safetensors` of any adapter kind after checks 12–16 of docs/adapters.md: the file
/// exists, its SHA-256 is the manifest's, its layout is sound, every tensor has the manifest's
/// dtype, and the tensors are exactly the architecture's (names and shapes). Nothing is decoded
/// before all of them pass.
///
/// Reference: training/adaptclip_training/checkpoint.py, `_read_weights` and `check_tensors`.
struct AdapterTensorFile: Sendable {
    let layout: AdapterSafeTensorsLayout
    let bytes: Data

    /// `expected`: every tensor the manifest's architecture needs, name → shape.
    init(directory: URL, weights: AdapterManifest.Weights, expected: [String: [Int]]) throws(AdapterCheckpointError) {
        // 12: the weights file and its SHA-256.
        let url = directory.appendingPathComponent(weights.file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let bytes = FileManager.default.contents(atPath: url.path)
        else {
            throw .weights("file", "not found in \(directory.path)")
        }
        let actual = bytes.withUnsafeBytes { SHA256.hexDigest(of: $0) }
        guard actual == weights.sha256 else {
            throw .manifest("weights.sha256", "\(weights.sha256) does not match the file's sha256 \(actual)")
        }
        self.bytes = bytes
        // 13: safetensors structure.
        // Data.withUnsafeBytes rethrows untyped errors; a Result keeps the refusal typed.
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(AdapterCheckpointError) in try AdapterSafeTensorsLayout(bytes: raw) }
        }
        let layout = try parsed.get()
        self.layout = layout
        // 14: one dtype, the manifest's.
        let names = layout.entries.keys.sorted(by: pythonOrder)
        for name in names {
            guard let entry = layout.entries[name], entry.dtype == weights.dtype else {
                throw .weights(
                    "tensor \(name)",
                    "dtype \(layout.entries[name]?.dtype.rawValue ?? "?") differs from weights.dtype \(weights.dtype.rawValue) in \(AdapterManifest.fileName)")
            }
        }
        // 15: every tensor the architecture needs, with its shape; 16: no other.
        for name in expected.keys.sorted(by: pythonOrder) {
            let shape = expected[name] ?? []
            guard let entry = layout.entries[name] else {
                throw .weights("tensor \(name)", "missing (architecture needs it, shape \(shape))")
            }
            guard entry.shape == shape else {
                throw .weights("tensor \(name)", "shape \(entry.shape) differs from \(shape) required by \(AdapterManifest.fileName)")
            }
        }
        for name in names where expected[name] == nil {
            throw .weights("tensor \(name)", "unexpected (not part of this architecture)")
        }
    }
}

extension AdapterTensorFile: WeightSource {
    /// The validated tensor `name`, widened to Float32 (F16/BF16 exactly, as torch's `.float()`).
    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        guard let entry = layout.entries[name] else { throw ModelError.missingTensor(name) }
        let count = Tensor.elementCount(of: entry.shape) ?? 0
        var scalars = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = layout.dataStart + entry.begin
            for i in 0..<count {
                switch entry.dtype {
                case .f16:
                    scalars[i] = HalfPrecision.float(
                        fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self)))
                case .bf16:
                    scalars[i] = HalfPrecision.float(
                        fromBFloat16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self)))
                default:
                    // Validation admits F32, F16 and BF16 only.
                    scalars[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)))
                }
            }
        }
        return try Tensor(shape: entry.shape, scalars: scalars)
    }
}
