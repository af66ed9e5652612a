import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto, whose SHA-NI / AVX2 kernels hash at GB/s:
/// a model's id is the digest of its weights (hundreds of megabytes, hashed at every start) and
/// every upload is deduplicated by its digest. One implementation for the whole package: item
/// dedupe and the index file's payload check (Retrieval), checkpoint identities (Models); tests
/// check it against the FIPS examples.
///
/// A value owns one hashing context: feed it with `update` and read it once with `finalizeHex`.
/// Copies share that context, so hash with one value at a time.
public struct SHA256: Sendable {
    private let context: Context

    public init() { context = Context() }

    /// Hex digest of raw bytes in one call (a memory-mapped checkpoint, say).
    public static func hexDigest(of bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    public static func hexDigest(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hexDigest(of: $0) }
    }

    /// Hex digest of `data` in one call.
    public static func hex(_ data: Data) -> String {
        data.withUnsafeBytes { hexDigest(of: $0) }
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        context.update(base, count: bytes.count)
    }

    public mutating func finalizeHex() -> String {
        context.finalize().map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// libcrypto's EVP context, freed with its owner. Used by one thread at a time (a hasher is
    /// a local value fed in sequence), hence `@unchecked Sendable`.
    private final class Context: @unchecked Sendable {
        private let pointer: OpaquePointer

        init() {
            // Allocation fails only when memory is exhausted; then nothing else would work either.
            guard let pointer = EVP_MD_CTX_new(), EVP_DigestInit_ex(pointer, EVP_sha256(), nil) == 1 else {
                fatalError("libcrypto could not start a SHA-256 context")
            }
            self.pointer = pointer
        }

        func update(_ base: UnsafeRawPointer, count: Int) {
            guard EVP_DigestUpdate(pointer, base, count) == 1 else { fatalError("libcrypto SHA-256 update failed") }
        }

        func finalize() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(pointer, &digest, &length) == 1, length == 32 else {
                fatalError("libcrypto SHA-256 final failed")
            }
            return digest
        }

        deinit { EVP_MD_CTX_free(pointer) }
    }
}
