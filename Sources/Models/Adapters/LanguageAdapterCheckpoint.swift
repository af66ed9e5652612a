import Digests
import Foundation
import Numerics

/// A language-adapter checkpoint directory that passed every check of docs/adapters.md
/// ("Validation", checks 1–16, in order, first failure wins) against a `LanguageAdapterHost`.
/// Nothing is decoded or built before all of them pass, so a refused checkpoint never
/// disturbs the adapter being served.
///
/// Reference: training/adaptclip_training/checkpoint.py, `validate_checkpoint`.
public struct LanguageAdapterCheckpoint: Sendable {
    public let directory: URL
    public let manifest: AdapterManifest
    let layout: AdapterSafeTensorsLayout
    let bytes: Data

    public init(directory: URL, host: LanguageAdapterHost) throws(AdapterCheckpointError) {
        self.directory = directory
        // 1–10: the manifest alone.
        let manifest = try AdapterManifest.load(directory: directory)
        self.manifest = manifest
        // 11: against the loaded models.
        try host.check(manifest)
        // 12: the weights file and its SHA-256.
        let url = directory.appendingPathComponent(manifest.weights.file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let bytes = FileManager.default.contents(atPath: url.path)
        else {
            throw .weights("file", "not found in \(directory.path)")
        }
        let actual = bytes.withUnsafeBytes { SHA256.hexDigest(of: $0) }
        guard actual == manifest.weights.sha256 else {
            throw .manifest("weights.sha256", "\(manifest.weights.sha256) does not match the file's sha256 \(actual)")
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
        let dtype = manifest.weights.dtype
        for name in names {
            guard let entry = layout.entries[name], entry.dtype == dtype else {
                throw .weights(
                    "tensor \(name)",
                    "dtype \(layout.entries[name]?.dtype.rawValue ?? "?") differs from weights.dtype \(dtype.rawValue) in \(AdapterManifest.fileName)")
            }
        }
        // 15: every tensor the architecture needs, with its shape; 16: no other.
        let expected = manifest.architecture.tensorShapes(
            inputSize: manifest.baseEncoder.hiddenSize, outputSize: manifest.clip.projectionDim)
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

extension LanguageAdapterCheckpoint: WeightSource {
    /// The validated tensor `name`, widened to Float32 (F16/BF16 exactly, as torch's `.float()`).
    public func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
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
