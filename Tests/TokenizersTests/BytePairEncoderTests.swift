import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// The queue-based BPE merges in exactly the order of the rescanning reference (tokenizers'
/// `merge_all`: lowest rank first, leftmost among equals) and does O(n log n) work per word.
@Suite struct BytePairEncoderTests {
    let encoder: BytePairEncoder
    let reference: ReferenceBytePairEncoder

    init() throws {
        encoder = try SharedFixtures.clip.get().tokenizer.model
        reference = ReferenceBytePairEncoder(encoder)
    }

    func merged(_ word: [UInt8]) -> [Int] {
        var work = BytePairEncoder.Work()
        return encoder.merge(word, work: &work)
    }

    /// Random words of every shape BPE finds hard: runs of one byte or one multi-byte character
    /// (many equal-rank pairs), short repeating patterns, letters, arbitrary scalars and bytes.
    static func randomWord(_ random: inout SplitMix64) -> [UInt8] {
        func scalars(_ count: Int, from ranges: [ClosedRange<UInt32>]) -> [UInt8] {
            Self.scalars(count, from: ranges, &random)
        }
        let units = ["a", "e", "!", "0", "é", "猫", "😀", "ab", "abc", "lo", "ss", "👍🏽", "..."]
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            let unit = units.randomElement(using: &random)!
            return Array(String(repeating: unit, count: Int.random(in: 1...120, using: &random)).utf8)
        case 1:
            return scalars(Int.random(in: 1...16, using: &random), from: [0x61...0x7A])
        case 2:
            return Array("aeiostnrlhc".utf8).shuffled(using: &random).prefix(Int.random(in: 1...11, using: &random))
                .map { $0 } + Array(String(repeating: "es", count: Int.random(in: 0...3, using: &random)).utf8)
        case 3:
            // Latin-1, Cyrillic, kana, CJK, emoji: two to four UTF-8 bytes each.
            let ranges: [ClosedRange<UInt32>] = [0xC0...0xFF, 0x430...0x44F, 0x3041...0x3096, 0x4E00...0x4FFF, 0x1F600...0x1F64F]
            return scalars(Int.random(in: 1...40, using: &random), from: ranges)
        case 4:
            return (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        default:
            return scalars(Int.random(in: 1...60, using: &random), from: [0x21...0x7E])
        }
    }

    static func scalars(_ count: Int, from ranges: [ClosedRange<UInt32>], _ random: inout SplitMix64) -> [UInt8] {
        var text = String.UnicodeScalarView()
        for _ in 0..<count {
            let range = ranges.randomElement(using: &random)!
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &random)) { text.append(scalar) }
        }
        return Array(String(text).utf8)
    }

    @Test func mergesLikeTheRescanningReferenceOnRandomWords() {
        var random = SplitMix64(seed: 0x5EED_B9E)
        var differing: [String] = []
        var checked = 0
        for _ in 0..<1_500 {
            let word = Self.randomWord(&random)
            checked += 1
            if merged(word) != reference.encode(word: word), differing.count < 5 {
                differing.append(String(decoding: word.prefix(40), as: UTF8.self))
            }
        }
        #expect(checked == 1_500)
        #expect(differing.isEmpty, "words merged differently from the reference: \(differing)")
    }

    /// Fewer, because the reference is quadratic: letters and accents, 300 to 1,200 scalars.
    @Test func mergesLikeTheReferenceOnLongWords() {
        var random = SplitMix64(seed: 0x10_46)
        for index in 0..<16 {
            let count = Int.random(in: 300...1_200, using: &random)
            let word = Self.scalars(count, from: [0x61...0x7A, 0x61...0x65, 0xE0...0xEF], &random)
            #expect(merged(word) == reference.encode(word: word), "long word \(index) of \(word.count) bytes")
        }
    }

    @Test func mergesLikeTheReferenceOnEveryGoldenWord() throws {
        let goldens = try SharedFixtures.clip.get().goldens
        let preTokenizer = CLIPPreTokenizer()
        var words = 0
        for golden in goldens.cases {
            for piece in preTokenizer.split(CLIPNormalizer().normalize(golden.text)[...]) {
                let word = Array(String(String.UnicodeScalarView(piece)).utf8)
                words += 1
                #expect(merged(word) == reference.encode(word: word), "\(golden.id): \(String(decoding: word, as: UTF8.self))")
            }
        }
        #expect(words > 5_000)
    }

    /// Random merge tables over a three-letter alphabet, ranks in random order: far more
    /// competing pairs per word than a real vocabulary, so every stale-candidate path is taken.
    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func mergesLikeTheReferenceUnderRandomMergeTables(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let letters = Array("abc".utf8)
        let byteIDs = Array(0..<256)
        let endOfWordByteIDs = Array(256..<512)
        var inner = letters.map(Int.init)
        var final = letters.map { 256 + Int($0) }
        var pairs: [(left: Int, right: Int, result: Int)] = []
        var next = 512
        while pairs.count < 120 {
            let left = inner.randomElement(using: &random)!
            let rightIsFinal = Bool.random(using: &random)
            let right = (rightIsFinal ? final : inner).randomElement(using: &random)!
            guard !pairs.contains(where: { $0.left == left && $0.right == right }) else { continue }
            pairs.append((left, right, next))
            if rightIsFinal { final.append(next) } else { inner.append(next) }
            next += 1
        }
        let ranks = Array(0..<pairs.count).shuffled(using: &random)
        var merges: [UInt64: BytePairEncoder.Merge] = [:]
        for (pair, rank) in zip(pairs, ranks) {
            merges[BytePairEncoder.pairKey(pair.left, pair.right)] = .init(rank: Int32(rank), result: Int32(pair.result))
        }
        let encoder = BytePairEncoder(
            byteIDs: byteIDs, endOfWordByteIDs: endOfWordByteIDs, merges: merges, cacheLimits: .init(wordCount: 0))
        let reference = ReferenceBytePairEncoder(byteIDs: byteIDs, endOfWordByteIDs: endOfWordByteIDs, merges: merges)

        var differing: [String] = []
        var totalMerges = 0
        for _ in 0..<300 {
            let word = (0..<Int.random(in: 1...200, using: &random)).map { _ in letters.randomElement(using: &random)! }
            var work = BytePairEncoder.Work()
            let ids = encoder.merge(word, work: &work)
            totalMerges += work.merges
            if ids != reference.encode(word: word), differing.count < 3 {
                differing.append(String(decoding: word, as: UTF8.self))
            }
        }
        #expect(totalMerges > 5_000, "the random tables should merge a lot")
        #expect(differing.isEmpty, "seed \(seed): \(differing)")
    }

    @Test func emptyWordHasNoIdsAndOneByteOne() {
        #expect(merged([]).isEmpty)
        #expect(merged(Array("a".utf8)) == reference.encode(word: Array("a".utf8)))
    }

    /// Work on a 32 KiB word, counted. At most n - 1 merges; the queue gets n - 1 candidates at
    /// the start (built with at most 2n comparisons) and two per merge, so at most 2n pushes of
    /// at most log2(3n) comparisons and 3n pops of at most 2 log2(3n). Look-ups: n - 1 initial
    /// pairs, one per pop and two per merge, at most 6n. The rescanning reference would make
    /// about n²/2 look-ups on the same word (hundreds of millions).
    @Test(arguments: ["a", "é", "😀", "ab", "aab", "letters", "bytes"])
    func workOnA32KiBWordIsWithinNLogN(shape: String) {
        let n = 32 * 1024
        var random = SplitMix64(seed: 32)
        let word: [UInt8]
        switch shape {
        case "letters": word = (0..<n).map { _ in UInt8.random(in: 0x61...0x7A, using: &random) }
        case "bytes": word = (0..<n).map { _ in UInt8.random(in: 0...255, using: &random) }
        default: word = Array(Array(String(repeating: shape, count: n).utf8).prefix(n))
        }
        #expect(word.count == n)
        var work = BytePairEncoder.Work()
        let ids = encoder.merge(word, work: &work)
        let logN = log2(Double(n))
        print("\(shape) × \(n) bytes: \(ids.count) ids, \(work.merges) merges, \(work.pairLookups) look-ups, \(work.queueComparisons) comparisons")
        #expect(ids.count + work.merges == n)
        #expect(work.pairLookups <= 6 * n)
        #expect(Double(work.queueComparisons) <= 2 * Double(n) + 8 * Double(n) * log2(3 * Double(n)))
        #expect(Double(work.queueComparisons) <= 9 * Double(n) * logN)
        #expect(work.merges > 0)
    }
}
