import Numerics

/// What a store refuses before anything is written or searched (every backend refuses the same).
public enum StoreValidation {
    /// `vector` scaled to unit length; refuses a wrong length, non-finite values and the zero vector.
    public static func unitVector(_ vector: [Float], dimension: Int, label: String) throws -> [Float] {
        guard vector.count == dimension else {
            throw StoreError.invalidArgument("\(label) has \(vector.count) dimensions, the space has \(dimension)")
        }
        guard vector.allSatisfy(\.isFinite) else { throw StoreError.invalidArgument("\(label) has a non-finite value") }
        guard let unit = VectorProducts.unitLength(vector) else { throw StoreError.invalidArgument("\(label) is the zero vector") }
        return unit
    }

    /// 64 lowercase hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
