import Foundation

/// Reads a file line by line in 64 KiB chunks (import files may be larger than memory).
/// Lines end with "\n" (a trailing "\r" is dropped); the last line may lack its newline.
struct LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var atEnd = false

    init(url: URL) throws {
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw StoreError.io("cannot open \(url.path): \(error.localizedDescription)")
        }
    }

    mutating func nextLine() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let chunk = try handle.read(upToCount: 65_536) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(chunk) }
        }
    }

    func close() { try? handle.close() }
}
