import Numerics

extension CLIPModel {
    /// Image embeddings in the joint space.
    ///
    ///     pixels: [count, channels, image_size, image_size] (CLIPImageProcessor's `pixel_values`, NCHW)
    ///     result: [count, projection_dim] — `CLIPModel.get_image_features`, L2-normalised if asked
    ///     adapter: a domain adapter whose vision side runs inside the encoder (none: the frozen model)
    ///     shouldStop: asked before every layer; true abandons the pass (`ModelError.stopped`)
    ///
    /// Reference: modeling_clip.py, `CLIPVisionEmbeddings.forward` and `CLIPVisionTransformer.forward`.
    /// The whole batch is one set of GEMMs: patch embedding, every layer's projections and the
    /// final projection each run once over all tokens of all images.
    public func encodeImages(
        pixels: [Float], count: Int, normalized: Bool = false, adapter: DomainAdapter? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> Tensor {
        try runVisionTower(
            pixels: pixels, count: count, normalized: normalized, adapter: adapter, keepLastHiddenState: false,
            shouldStop: shouldStop
        ).features
    }

    /// `encodeImages` plus the vision encoder's last hidden states, which image-conditioned
    /// prompts attend over (one forward pass for both).
    ///
    ///     lastHiddenState: [count · num_positions, vision hidden_size] — every token of every
    ///     image, after the last layer and before post_layernorm (transformers' `last_hidden_state`)
    public func encodeImagesKeepingHiddenStates(
        pixels: [Float], count: Int, normalized: Bool = false, adapter: DomainAdapter? = nil
    ) throws -> (features: Tensor, lastHiddenState: Tensor) {
        try runVisionTower(
            pixels: pixels, count: count, normalized: normalized, adapter: adapter, keepLastHiddenState: true,
            shouldStop: { false })
    }

    /// `lastHiddenState` is [0, width] unless kept (copying it costs a pass over every token).
    private func runVisionTower(
        pixels: [Float], count: Int, normalized: Bool, adapter: DomainAdapter?, keepLastHiddenState: Bool,
        shouldStop: () -> Bool
    ) throws -> (features: Tensor, lastHiddenState: Tensor) {
        let c = configuration.vision
        let imageScalars = c.numChannels * c.imageSize * c.imageSize
        let (expected, overflow) = count.multipliedReportingOverflow(by: imageScalars)
        guard count >= 0, !overflow, pixels.count == expected else {
            throw ModelError.invalidInput(
                "expected \(count) images of \(c.numChannels)×\(c.imageSize)×\(c.imageSize) = \(overflow ? "too many" : String(expected)) floats, got \(pixels.count)")
        }
        let out = try TensorBuffer(shape: [count, projectionDim])
        guard count > 0 else {
            return (out.tensor, try Tensor(zeros: [0, c.hiddenSize]))
        }

        let vision = weights.visionModel
        let width = c.hiddenSize
        let sequenceLength = c.numPositions
        let tokens = count * sequenceLength
        let hidden = try TensorBuffer(shape: [tokens, width])
        let patchRows = count * c.numPatches
        let patches = try TensorBuffer(shape: [patchRows, c.numChannels * c.patchSize * c.patchSize])
        let embedded = try TensorBuffer(shape: [patchRows, width])
        let sequences = (0..<count).map { AttentionSequence(start: $0 * sequenceLength, length: sequenceLength) }
        let scratch = try EncoderScratch(
            tokens: tokens, width: width, intermediate: c.intermediateSize, longestSequence: sequenceLength, sequences: count)
        let domain = try adapter?.vision.map { try DomainAdapterPass(tower: $0, tokens: tokens, width: width, layers: vision.layers.count) }
        // The buffers' raw pointers are used below; keep every owner alive until the end.
        let completed = withExtendedLifetime((hidden, patches, embedded, scratch, domain)) { () -> Bool in
            pixels.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return }
                embedPatches(base, count: count, patches: patches, embedded: embedded, into: hidden.pointer)
            }
            vision.preLayrnorm.apply(hidden.pointer, rows: tokens, into: hidden.pointer)

            // Pooled output: post_layernorm of each image's class token (row 0 of its sequence).
            // Unless every token's last hidden state is kept, the last layer runs for those rows.
            let pooled = scratch.pooled.pointer
            let layers = vision.layers.count
            for (index, layer) in vision.layers.enumerated() where keepLastHiddenState || index < layers - 1 {
                if shouldStop() { return false }
                layer.forward(
                    hidden.pointer, tokens: tokens, sequences: sequences, heads: c.numAttentionHeads, activation: c.hiddenAct,
                    causal: false, scratch: scratch, branch: domain?.branch(atLayer: index))
            }
            if keepLastHiddenState || layers == 0 {
                for image in 0..<count {
                    (pooled + image * width).update(from: hidden.pointer + image * sequenceLength * width, count: width)
                }
            } else {
                if shouldStop() { return false }
                vision.layers[layers - 1].forwardReadingPooledRows(
                    hidden.pointer, tokens: tokens, sequences: sequences, pooled: [Int](repeating: 0, count: count),
                    heads: c.numAttentionHeads, activation: c.hiddenAct, causal: false, scratch: scratch,
                    branch: domain?.branch(atLayer: layers - 1), into: pooled)
            }
            vision.postLayernorm.apply(pooled, rows: count, into: pooled)
            weights.visualProjection.apply(pooled, rows: count, into: out.pointer)
            if normalized { L2Normalize.apply(out.pointer, rows: count, width: projectionDim) }
            return true
        }
        guard completed else { throw ModelError.stopped }
        return (out.tensor, keepLastHiddenState ? hidden.tensor : try Tensor(zeros: [0, width]))
    }

    /// Class and patch tokens plus position embeddings for every image.
    ///
    ///     pixels: [count, C, S, S] → patches: [count·grid², C·p·p] (im2col, (c, ky, kx) order,
    ///     matching the flattened conv weight [width, C, p, p]) → one GEMM → [count·grid², width]
    ///     hidden[image, 0]   = class_embedding + position[0]
    ///     hidden[image, 1+i] = patch_i · Wᵀ + position[1+i]
    private func embedPatches(
        _ pixels: UnsafePointer<Float>, count: Int, patches: TensorBuffer, embedded: TensorBuffer,
        into hidden: UnsafeMutablePointer<Float>
    ) {
        let c = configuration.vision
        let vision = weights.visionModel
        let (p, grid, size, width) = (c.patchSize, c.gridSize, c.imageSize, c.hiddenSize)
        let patchScalars = c.numChannels * p * p
        let patchRows = count * c.numPatches
        for image in 0..<count {
            for gy in 0..<grid {
                for gx in 0..<grid {
                    let row = patches.pointer + ((image * grid + gy) * grid + gx) * patchScalars
                    for channel in 0..<c.numChannels {
                        let plane = pixels + (image * c.numChannels + channel) * size * size
                        for ky in 0..<p {
                            (row + (channel * p + ky) * p).update(from: plane + (gy * p + ky) * size + gx * p, count: p)
                        }
                    }
                }
            }
        }
        vision.patchEmbedding.apply(patches.pointer, rows: patchRows, bias: nil, into: embedded.pointer)

        let positions = vision.positionEmbedding.pointer
        for image in 0..<count {
            let sequence = hidden + image * c.numPositions * width
            for i in 0..<width { sequence[i] = vision.classEmbedding.pointer[i] + positions[i] }
            for patch in 0..<c.numPatches {
                let target = sequence + (1 + patch) * width
                let source = embedded.pointer + (image * c.numPatches + patch) * width
                let position = positions + (1 + patch) * width
                for i in 0..<width { target[i] = source[i] + position[i] }
            }
        }
    }
}
