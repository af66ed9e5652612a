// libFuzzer target comparing Imaging's DEFLATE decoder with zlib's (raw inflate, 32 KiB window).
// Input: one byte choosing the output capacity, one choosing the size of the pieces Imaging
// reads at a time, then the DEFLATE stream. Whatever zlib decodes into the first `capacity`
// bytes (all of the stream if it is shorter), Imaging must decode identically, piece by piece;
// where zlib finds an error (or runs out of input) before that, Imaging must throw. Any
// difference traps.
import CZlib

private enum Outcome: Equatable {
    /// The bytes produced up to the capacity or the end of the stream.
    case output([UInt8])
    case failed
}

/// zlib's outcome for the first `capacity` bytes. zlib keeps parsing (end-of-block codes, block
/// headers) after its output is full, and so can fail past the point where Imaging stops; so it
/// gets one byte more room, and whatever it decoded up to `capacity` counts even if it failed later.
private func inflateWithZlib(_ input: UnsafeRawBufferPointer, capacity: Int) -> Outcome {
    var stream = z_stream()
    guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        fail("zlib inflateInit2 failed")
    }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: capacity + 1)
    let status = output.withUnsafeMutableBufferPointer { out in
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        stream.next_out = out.baseAddress
        stream.avail_out = UInt32(out.count)
        return inflate(&stream, Z_FINISH)
    }
    let produced = output.count - Int(stream.avail_out)
    if produced >= capacity { return .output(Array(output[0..<capacity])) }
    return status == Z_STREAM_END ? .output(Array(output[0..<produced])) : .failed
}

private func inflateWithImaging(_ input: UnsafeRawBufferPointer, capacity: Int, piece: Int) -> Outcome {
    var inflater = InflateStream(input)
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: piece)
    do {
        while all.count < capacity {
            let want = min(piece, capacity - all.count)
            let n = try buffer.withUnsafeMutableBufferPointer { (out) throws(InflateError) in
                try inflater.read(into: UnsafeMutableBufferPointer(rebasing: out[0..<want]))
            }
            all += buffer[0..<n]
            if n < want { break }
        }
    } catch {
        return .failed
    }
    return .output(all)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInflate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 2 else { return 0 }
    let capacity = Int(data[0]) * 97 + 1
    let piece = Int(data[1]) + 1
    let input = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let reference = inflateWithZlib(input, capacity: capacity)
    let ours = inflateWithImaging(input, capacity: capacity, piece: piece)
    if reference != ours {
        fail("zlib: \(reference), Imaging (pieces of \(piece)): \(ours), capacity \(capacity)")
    }
    return 0
}
