/// Hands the chunks of a streamed response to its connection. `write` returns once the chunk
/// is in the socket's send buffer and throws `HTTPBodyWriter.ConnectionClosed` when the client
/// is gone, so producers stop instead of computing for nobody.
public struct HTTPBodyWriter: Sendable {
    public struct ConnectionClosed: Error, Sendable {}

    let sink: @Sendable ([UInt8]) async throws -> Void

    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await sink(bytes)
    }

    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }
}
