import Foundation
import Synchronization
import Testing
@testable import Imaging

/// Decoding and preprocessing ask `shouldStop` at safe points and stop with `.cancelled` at the
/// first that says so. Checks count the questions, never the time.
@Suite struct DecodeCancellationTests {
    /// A `shouldStop` that answers true from its `stopAt`-th question on (never when nil), and counts them.
    final class Oracle: Sendable {
        let stopAt: Int?
        private let asked = Atomic<Int>(0)
        init(stopAt: Int?) { self.stopAt = stopAt }
        var questions: Int { asked.load(ordering: .relaxed) }
        var shouldStop: @Sendable () -> Bool {
            { [self] in
                let n = asked.add(1, ordering: .relaxed).newValue
                return stopAt.map { n >= $0 } ?? false
            }
        }
    }

    /// A grey PNG of `rows` rows of 16,384 bytes: one question every four rows (64 KiB).
    static func tallPNG(rows: Int) -> Data {
        var raw: [UInt8] = []
        raw.reserveCapacity(rows * 16_385)
        for y in 0..<rows { raw += [0] + [UInt8](repeating: UInt8(y % 256), count: 16_384) }
        return TinyPNG.file(width: 16_384, height: rows, bitDepth: 8, colorType: 0, zlib: TinyPNG.zlibStored(raw))
    }

    @Test func pngAsksOnceEveryFourRowsOfSixteenKilobytes() throws {
        let oracle = Oracle(stopAt: nil)
        let image = try ImageDecoder.decode(Self.tallPNG(rows: 64), shouldStop: oracle.shouldStop)
        #expect(image.height == 64)
        #expect(oracle.questions == 64 / 4)
    }

    @Test func pngStopsAtTheFirstQuestionAnsweredYes() throws {
        let oracle = Oracle(stopAt: 3)  // after 12 of 64 rows
        #expect(throws: ImageError.cancelled) {
            try ImageDecoder.decode(Self.tallPNG(rows: 64), shouldStop: oracle.shouldStop)
        }
        #expect(oracle.questions == 3)
    }

    @Test func webPAsksBetweenSlicesAndStops() throws {
        let bytes = try ImageFixtures.bytes("webp_lossy_320x240.webp")
        let run = { (oracle: Oracle) throws(ImageError) -> RGBImage in
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(ImageError) in
                    var stop = StopCheck(oracle.shouldStop)
                    return try WebPDecoder.decode(raw, limits: .default, stop: &stop, sliceBytes: 1000).0
                }
            }
            return try result.get()
        }
        let listening = Oracle(stopAt: nil)
        let image = try run(listening)
        // One question before decoding, one after each slice that did not finish the image.
        #expect(listening.questions == 1 + (bytes.count - 1) / 1000)
        #expect(image == (try ImageDecoder.decode(bytes)))
        let stopping = Oracle(stopAt: 4)
        #expect(throws: ImageError.cancelled) { try run(stopping) }
        #expect(stopping.questions == 4)
    }

    @Test func webPDecodedInSlicesEqualsWhole() throws {
        for entry in try ImageFixtures.entries() where entry.file.hasSuffix(".webp") {
            let bytes = try ImageFixtures.bytes(entry.file)
            let sliced = bytes.withUnsafeBytes { raw in
                Result { () throws(ImageError) in
                    var stop = StopCheck(nil)
                    return try WebPDecoder.decode(raw, limits: .default, stop: &stop, sliceBytes: 97).0
                }
            }
            let whole = bytes.withUnsafeBytes { raw in
                Result { () throws(ImageError) in
                    var stop = StopCheck(nil)
                    return try WebPDecoder.decode(raw, limits: .default, stop: &stop, sliceBytes: raw.count).0
                }
            }
            #expect(try sliced.get() == whole.get(), "\(entry.id)")
        }
    }

    @Test func jpegIsAskedBeforeTurboJPEGAllocatesAnything() throws {
        let bytes = try ImageFixtures.bytes("jpeg_q85_422_131x97.jpg")
        let oracle = Oracle(stopAt: 1)
        let run = AllocationLog.run { _ = try ImageDecoder.decode(bytes, shouldStop: oracle.shouldStop) }
        #expect(run.error == .cancelled)
        #expect(run.sizes.isEmpty)
    }

    @Test func preprocessingAsksBetweenRowsAndPasses() throws {
        let image = try ImageDecoder.decode(Self.tallPNG(rows: 64))
        let preprocessor = CLIPImagePreprocessor()
        let listening = Oracle(stopAt: nil)
        let tensor = try preprocessor.preprocess(image, shouldStop: listening.shouldStop)
        #expect(tensor == preprocessor.preprocess(image))
        #expect(listening.questions >= 3)
        let stopping = Oracle(stopAt: 2)
        #expect(throws: ImageError.cancelled) { try preprocessor.preprocess(image, shouldStop: stopping.shouldStop) }
        #expect(stopping.questions == 2)
        #expect(throws: ImageError.cancelled) {
            try preprocessor.preprocessBatch([image, image], shouldStop: { true })
        }
    }
}
