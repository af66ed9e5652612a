import Numerics

/// The activations of one encoder pass (CLIP's towers, BERT, a language adapter) over `tokens`
/// packed rows, allocated once per batch and reused by every layer (no allocation inside the
/// layer loop).
struct EncoderScratch {
    let normed: TensorBuffer      // [tokens, width]  layer-norm output
    let query: TensorBuffer       // [tokens, width]
    let key: TensorBuffer         // [tokens, width]
    let value: TensorBuffer       // [tokens, width]
    let context: TensorBuffer     // [tokens, width]  attention output before out_proj
    let intermediate: TensorBuffer // [tokens, intermediate]  MLP hidden
    let scores: TensorBuffer      // [workers · longest · longest padded to whole vectors]  attention probabilities

    init(tokens: Int, width: Int, intermediate: Int, longestSequence: Int) throws {
        normed = try TensorBuffer(shape: [tokens, width])
        query = try TensorBuffer(shape: [tokens, width])
        key = try TensorBuffer(shape: [tokens, width])
        value = try TensorBuffer(shape: [tokens, width])
        context = try TensorBuffer(shape: [tokens, width])
        self.intermediate = try TensorBuffer(shape: [tokens, intermediate])
        scores = try TensorBuffer(shape: [Attention.scoresCapacity(longestSequence: longestSequence)])
    }
}
