import Foundation
import Testing
@testable import Numerics

@Suite struct AttentionTests {
    /// Naive attention in Double: per sequence, per head, per query, with the same masks.
    static func reference(
        q: [Float], k: [Float], v: [Float], rowStride: Int, sequences: [AttentionSequence],
        width: Int, heads: Int, causal: Bool, tokens: Int
    ) -> [Double] {
        let d = width / heads
        var out = [Double](repeating: 0, count: tokens * width)
        for s in sequences {
            for h in 0..<heads {
                for i in 0..<s.length {
                    let visible = causal ? min(i + 1, s.validKeys) : s.validKeys
                    var logits = [Double](repeating: 0, count: visible)
                    for j in 0..<visible {
                        for c in 0..<d {
                            logits[j] += Double(q[(s.start + i) * rowStride + h * d + c])
                                * Double(k[(s.start + j) * rowStride + h * d + c])
                        }
                        logits[j] /= Double(d).squareRoot()
                    }
                    let m = logits.max() ?? 0
                    let weights = logits.map { exp($0 - m) }
                    let sum = weights.reduce(0, +)
                    for c in 0..<d {
                        var acc = 0.0
                        for j in 0..<visible { acc += weights[j] / sum * Double(v[(s.start + j) * rowStride + h * d + c]) }
                        out[(s.start + i) * width + h * d + c] = acc
                    }
                }
            }
        }
        return out
    }

    func check(causal: Bool, sequences: [AttentionSequence], fusedQKV: Bool, width: Int = 24, heads: Int = 3) {
        let tokens = sequences.map { $0.start + $0.length }.max() ?? 0
        let rowStride = fusedQKV ? 3 * width : width
        let q = seededValues(tokens * rowStride, seed: 51, scale: 2)
        let k = seededValues(tokens * rowStride, seed: 52, scale: 2)
        let v = seededValues(tokens * rowStride, seed: 53)
        var out = [Float](repeating: 0, count: tokens * width)
        let maxLength = sequences.map(\.length).max() ?? 0
        let capacity = Attention.scoresCapacity(longestSequence: maxLength)
        var scores = [Float](repeating: .nan, count: capacity)
        // With a fused buffer, k and v live at column offsets width and 2·width of the same rows.
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                v.withUnsafeBufferPointer { vp in
                    let kBase = fusedQKV ? qp.baseAddress! + width : kp.baseAddress!
                    let vBase = fusedQKV ? qp.baseAddress! + 2 * width : vp.baseAddress!
                    Attention.multiHead(
                        query: qp.baseAddress!, key: kBase, value: vBase, rowStride: rowStride,
                        sequences: sequences, width: width, heads: heads, causal: causal,
                        scores: &scores, scoresCapacity: capacity, into: &out)
                }
            }
        }
        let kRef = fusedQKV ? Array(q.dropFirst(width)) + [Float](repeating: 0, count: width) : k
        let vRef = fusedQKV ? Array(q.dropFirst(2 * width)) + [Float](repeating: 0, count: 2 * width) : v
        let expected = Self.reference(
            q: q, k: kRef, v: vRef, rowStride: rowStride, sequences: sequences, width: width, heads: heads,
            causal: causal, tokens: tokens)
        expectClose(out, expected, tolerance: 2e-6, "attention causal=\(causal) fused=\(fusedQKV)")
    }

    @Test func bidirectionalOverEqualLengthSequences() {
        check(causal: false, sequences: [.init(start: 0, length: 5), .init(start: 5, length: 5)], fusedQKV: false)
    }

    @Test func causalOverPackedSequencesOfDifferentLengths() {
        check(
            causal: true,
            sequences: [.init(start: 0, length: 1), .init(start: 1, length: 7), .init(start: 8, length: 3)],
            fusedQKV: false)
    }

    @Test func paddingMaskHidesKeysBeyondTheValidLength() {
        check(causal: false, sequences: [.init(start: 0, length: 6, validKeys: 4), .init(start: 6, length: 6)], fusedQKV: false)
        check(causal: true, sequences: [.init(start: 0, length: 6, validKeys: 3)], fusedQKV: false)
    }

    /// Long enough that each head runs in several query blocks (see `Attention.blockVolume`).
    @Test func longSequencesSplitIntoQueryBlocks() {
        #expect(260 * 260 * 8 > Attention.blockVolume)
        check(causal: true, sequences: [.init(start: 0, length: 260), .init(start: 260, length: 3)], fusedQKV: false)
        check(causal: false, sequences: [.init(start: 0, length: 260, validKeys: 250)], fusedQKV: false)
    }

    /// Key counts around the sixteen-lane softmax width (scores rows are padded to whole
    /// vectors) and CLIP's own lengths (50 image tokens for ViT-B/32, 77 text tokens), with
    /// CLIP's head width of 64.
    @Test(arguments: [1, 15, 16, 17, 50, 77])
    func matchesReferenceAtVectorEdgeLengths(length: Int) {
        let sequences = [AttentionSequence(start: 0, length: length), .init(start: length, length: max(1, length / 2))]
        check(causal: false, sequences: sequences, fusedQKV: false, width: 128, heads: 2)
        check(causal: true, sequences: sequences, fusedQKV: true, width: 128, heads: 2)
    }

    @Test func readsHeadsInPlaceFromAFusedQKVBuffer() {
        check(causal: true, sequences: [.init(start: 0, length: 4), .init(start: 4, length: 2)], fusedQKV: true)
    }
}
