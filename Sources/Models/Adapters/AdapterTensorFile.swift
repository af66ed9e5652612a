import Digests
import Foundation
import Numerics

/// `adapter.safetensors` of any adapter kind after checks 12–16 of docs/adapters.md: the file
/// exists (a regular file, not a symbolic link), its SHA-256 is the manifest's, its layout is
/// sound, every tensor has the manifest's dtype, and the tensors are exactly the
/// architecture's (names and shapes). Nothing is decoded before all of them pass, and the file
/// is never held in memory whole: it is hashed in chunks and each tensor read on its own.
///
/// Reference: training/adaptclip_training/checkpoint.py, `read_weights` and `check_tensors`.
struct AdapterTensorFile: Sendable {
    let layout: AdapterSafeTensorsLayout
    /// Open for the checkpoint's lifetime: tensors are read from it when the weights are built.
    let file: AdapterCheckpointFile

    /// `expected`: every tensor the manifest's architecture needs, name → shape.
    init(directory: URL, weights: AdapterManifest.Weights, expected: [String: [Int]]) throws(AdapterCheckpointError) {
        // 12: the weights file (a regular file, not a link) and its SHA-256, read in chunks.
        let file = try AdapterCheckpointFile(directory: directory, name: weights.file)
        self.file = file
        let actual = try file.sha256()
        guard actual == weights.sha256 else {
            // The requirement leaves out the file's digest: it would confirm a guess of its bytes.
            throw .manifest(
                "weights.sha256", "\(weights.sha256) does not match the file's sha256 \(actual)",
                requirement: "must be the SHA-256 of \(AdapterManifest.weightsFileName)")
        }
        // 13: safetensors structure, from the header alone.
        let layout = try AdapterSafeTensorsLayout(file: file)
        self.layout = layout
        // 14: one dtype, the manifest's.
        let names = layout.entries.keys.sorted(by: pythonOrder)
        for name in names {
            guard let entry = layout.entries[name], entry.dtype == weights.dtype else {
                throw .weights(
                    "tensor \(name)",
                    "dtype \(layout.entries[name]?.dtype.rawValue ?? "?") differs from weights.dtype \(weights.dtype.rawValue) in \(AdapterManifest.fileName)",
                    requirement: "every tensor must have weights.dtype (\(weights.dtype.rawValue))", redactedField: "tensor")
            }
        }
        // 15: every tensor the architecture needs, with its shape; 16: no other.
        for name in expected.keys.sorted(by: pythonOrder) {
            let shape = expected[name] ?? []
            guard let entry = layout.entries[name] else {
                throw .weights("tensor \(name)", "missing (architecture needs it, shape \(shape))")
            }
            guard entry.shape == shape else {
                throw .weights(
                    "tensor \(name)", "shape \(entry.shape) differs from \(shape) required by \(AdapterManifest.fileName)",
                    requirement: "must have shape \(shape) as \(AdapterManifest.fileName) requires")
            }
        }
        for name in names where expected[name] == nil {
            throw .weights(
                "tensor \(name)", "unexpected (not part of this architecture)",
                requirement: "the file holds a tensor that is not part of this architecture", redactedField: "tensor")
        }
    }
}

extension AdapterTensorFile: WeightSource {
    /// The validated tensor `name`, widened to Float32 (F16/BF16 exactly, as torch's `.float()`).
    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        guard let entry = layout.entries[name] else { throw ModelError.missingTensor(name) }
        let count = Tensor.elementCount(of: entry.shape) ?? 0
        let bytes = try file.read(offset: layout.dataStart + entry.begin, count: entry.end - entry.begin)
        // What was hashed must be what is decoded: a file rewritten since is refused.
        try file.checkUnchanged()
        var scalars = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                switch entry.dtype {
                case .f16:
                    scalars[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                case .bf16:
                    scalars[i] = HalfPrecision.float(
                        fromBFloat16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                default:
                    // Validation admits F32, F16 and BF16 only.
                    scalars[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
        }
        return try Tensor(shape: entry.shape, scalars: scalars)
    }
}
