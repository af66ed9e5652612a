import Foundation
import Testing
import Imaging

/// Decoding and preprocessing share no mutable state: many tasks at once give the serial results.
@Suite struct ConcurrentDecodingTests {
    @Test func manyTasksDecodeAndPreprocessTheSameAsOne() async throws {
        let entries = try ImageFixtures.entries().filter { $0.rgb_size[0] * $0.rgb_size[1] <= 60_000 }
        let files = try entries.map { try ImageFixtures.bytes($0.file) }
        let preprocessor = CLIPImagePreprocessor(config: try ImageFixtures.config("s32"))
        let serial = try files.map { preprocessor.preprocess(try ImageDecoder.decode($0)) }

        // Eight tasks, each walking all files from a different starting point; each returns how
        // many of its tensors equal the serial ones.
        let matching = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var same = 0
                    for offset in 0..<files.count {
                        let i = (offset + task * 5) % files.count
                        if preprocessor.preprocess(try ImageDecoder.decode(files[i])) == serial[i] { same += 1 }
                    }
                    return same
                }
            }
            return try await group.reduce(0, +)
        }
        print("concurrent decoding: \(matching) of \(8 * files.count) tensors equal the serial ones")
        #expect(matching == 8 * files.count)
    }
}
