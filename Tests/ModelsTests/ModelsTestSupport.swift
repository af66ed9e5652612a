import Foundation
import TestSupport
import Testing

func clipFixture(_ shape: String) -> URL {
    RepositoryPaths.fixture("clip/\(shape)")
}

func decodeFloats(base64 text: String) -> [Float]? {
    guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}
