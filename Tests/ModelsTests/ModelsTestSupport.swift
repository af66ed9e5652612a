import Foundation
import Testing

/// The repository root: the first ancestor of this file that holds Package.swift.
func repositoryRoot(from file: String = #filePath) -> URL {
    var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
        directory = directory.deletingLastPathComponent()
    }
    return directory
}

func clipFixture(_ shape: String) -> URL {
    repositoryRoot().appendingPathComponent("Tests/Fixtures/clip/\(shape)")
}

/// A fresh directory under the system's temporary directory, for hand-built files.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("adaptclip-models-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func decodeFloats(base64 text: String) -> [Float]? {
    guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}

/// Cosine and max abs difference of two rows, with a window around the worst element for messages.
struct RowComparison {
    let cosine: Double
    let maxAbs: Double
    let report: String

    init(_ actual: ArraySlice<Float>, _ expected: ArraySlice<Float>) {
        let a = actual.map(Double.init), e = expected.map(Double.init)
        var dot = 0.0, na = 0.0, ne = 0.0, worst = 0.0, worstIndex = 0
        for i in 0..<min(a.count, e.count) {
            dot += a[i] * e[i]
            na += a[i] * a[i]
            ne += e[i] * e[i]
            let d = abs(a[i] - e[i])
            if d > worst { (worst, worstIndex) = (d, i) }
        }
        cosine = a.count == e.count ? dot / max((na * ne).squareRoot(), .leastNonzeroMagnitude) : 0
        maxAbs = a.count == e.count ? worst : .infinity
        let window = max(0, worstIndex - 1)..<min(worstIndex + 3, a.count, e.count)
        report = "cosine \(cosine), max abs \(maxAbs) at \(worstIndex): actual \(window.map { a[$0] }) expected \(window.map { e[$0] })"
    }
}
