import CFaissShim

/// A refusal or failure reported by the FAISS shim, with the shim's (or FAISS's) own message.
public struct VectorIndexError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        case invalidArgument, faiss, unsupported, io, outOfMemory, unknown
    }

    public let kind: Kind
    /// The shim function that failed, e.g. "afs_index_search".
    public let operation: String
    public let message: String

    public init(kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    init(status: Int32, operation: String, message: String) {
        let kind: Kind = switch Int(status) {
        case Int(AFS_INVALID_ARGUMENT): .invalidArgument
        case Int(AFS_FAISS_ERROR): .faiss
        case Int(AFS_UNSUPPORTED): .unsupported
        case Int(AFS_IO_ERROR): .io
        case Int(AFS_OUT_OF_MEMORY): .outOfMemory
        default: .unknown
        }
        self.init(kind: kind, operation: operation, message: message)
    }

    public var description: String { "\(operation) failed (\(kind)): \(message)" }
}

/// Calls a shim function with a fresh error buffer and turns a non-zero status into a thrown
/// `VectorIndexError` right here, in the same synchronous call.
func shimCall(_ operation: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    let capacity = Int(AFS_ERROR_CAPACITY)
    var buffer = [CChar](repeating: 0, count: capacity)
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, capacity) }
    guard status != Int32(AFS_OK) else { return }
    let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    throw VectorIndexError(status: status, operation: operation, message: message)
}
