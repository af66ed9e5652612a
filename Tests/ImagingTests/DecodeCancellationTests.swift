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

    /// TurboJPEG and libwebp decode in one call with no hook inside: they are asked just before.
    @Test(arguments: ["jpeg_q85_422_131x97.jpg", "webp_lossy_320x240.webp"])
    func codecLibrariesAreAskedBeforeAllocatingAnything(file: String) throws {
        let bytes = try ImageFixtures.bytes(file)
        let oracle = Oracle(stopAt: 1)
        let run = AllocationLog.run { _ = try ImageDecoder.decode(bytes, shouldStop: oracle.shouldStop) }
        #expect(run.error == .cancelled)
        #expect(run.sizes.isEmpty)
        #expect(oracle.questions == 1)
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
