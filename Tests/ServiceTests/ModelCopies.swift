import Foundation

/// Model directories made from the fixtures for identity tests.
enum ModelCopies {
    /// Flips the lowest bit of the first byte of tensor data in `directory/model.safetensors`:
    /// the least significant mantissa bit of one little-endian weight, so the model computes
    /// (almost) the same but its weights digest — and so its id — differ.
    static func perturbFirstWeight(in directory: URL) throws {
        let url = directory.appendingPathComponent("model.safetensors")
        var bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        bytes[8 + headerLength] ^= 1
        try Data(bytes).write(to: url)
    }
}
