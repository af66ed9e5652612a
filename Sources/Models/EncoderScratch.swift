import Numerics

/// The activations of one encoder pass (CLIP's towers, BERT, a language adapter) over `tokens`
/// packed rows, allocated once per batch and reused by every layer (no allocation inside the
/// layer loop).
struct EncoderScratch {
    let normed: TensorBuffer      // [tokens, width]  layer-norm output
    /// q, k and v of every token in one allocation of 3·tokens·width floats. A fused QKV
    /// projection (CLIP) writes it as [tokens, 3·width] rows; separate projections (BERT, the
    /// language adapter) use it as three [tokens, width] blocks, `query`, `key` and `value`.
    let projections: TensorBuffer
    let context: TensorBuffer     // [tokens, width]  attention output before out_proj
    let intermediate: TensorBuffer // [tokens, intermediate]  MLP hidden
    let scores: TensorBuffer      // [workers · longest · longest padded to whole vectors]  attention probabilities
    /// [sequences, width]  each sequence's pooled row after the last layer (CLIP's towers)
    let pooled: TensorBuffer
    private let blockSize: Int

    init(tokens: Int, width: Int, intermediate: Int, longestSequence: Int, sequences: Int = 0) throws {
        normed = try TensorBuffer(shape: [tokens, width])
        pooled = try TensorBuffer(shape: [sequences, width])
        projections = try TensorBuffer(shape: [tokens, 3 * width])
        blockSize = tokens * width
        context = try TensorBuffer(shape: [tokens, width])
        self.intermediate = try TensorBuffer(shape: [tokens, intermediate])
        scores = try TensorBuffer(shape: [Attention.scoresCapacity(longestSequence: longestSequence)])
    }

    /// One [tokens, width] block of `projections`; valid while this scratch is alive.
    struct Block {
        let pointer: UnsafeMutablePointer<Float>
    }

    var query: Block { Block(pointer: projections.pointer) }
    var key: Block { Block(pointer: projections.pointer + blockSize) }
    var value: Block { Block(pointer: projections.pointer + 2 * blockSize) }
}
