import Foundation
import Numerics

/// A learned prompt (kind `"prompt"`): CoOp context vectors or a structured General / Domain /
/// Instance prompt, turning class names into class text features on a frozen CLIP.
///
///     coop:        [BOS, ctx, tokens of "<name><suffix>", EOS]                       → [C, P]
///     structured:  [BOS, general_ctx, tokens of name, instance(image), tokens of suffix, EOS]
///                                                                                → [images·C, P]
///
/// Immutable and `Sendable`. Reference: training/adaptclip_training/prompt_learner.py,
/// `PromptedClassifier`.
public struct LearnedPrompt: Sendable {
    public let manifest: PromptManifest
    public let weights: LearnedPromptWeights

    /// Validates the checkpoint in `directory` against `host` (`AdapterCheckpointError` names
    /// the first problem), then decodes it, its attention's projections prepared as `options` says.
    public static func load(directory: URL, host: PromptHost, options: ModelLoadOptions = .standard) throws -> LearnedPrompt {
        let checkpoint = try PromptCheckpoint(directory: directory, host: host)
        return LearnedPrompt(
            manifest: checkpoint.manifest,
            weights: try LearnedPromptWeights(from: checkpoint.tensors, manifest: checkpoint.manifest, options: options))
    }

    /// Whether class features depend on the image (structured) or only on the labels (coop).
    public var isImageConditioned: Bool {
        if case .structured = weights { true } else { false }
    }

    /// Class text features of a CoOp prompt: [classes, P]. `start`/`end`: the tokenizer's BOS/EOS.
    public func textFeatures(
        model: CLIPModel, classes: [PromptClassTokens], start: Int, end: Int, normalized: Bool = false
    ) throws -> Tensor {
        guard case .coop(let context) = weights else {
            throw ModelError.invalidInput("a structured prompt needs the image: use textFeatures(model:classes:...visionHiddenStates:)")
        }
        let texts = classes.map { c -> [TextInputSegment] in
            [.tokens([start]), .vectors(context), .tokens(c.nameWithSuffix), .tokens([end])]
        }
        return try model.encodeTexts(segments: texts, normalized: normalized)
    }

    /// Class text features of a structured prompt for `images` images: [images · classes, P],
    /// image-major. `visionHiddenStates`: [images · Tv, Wv] (`encodeImagesKeepingHiddenStates`).
    public func textFeatures(
        model: CLIPModel, classes: [PromptClassTokens], start: Int, end: Int, visionHiddenStates: Tensor, images: Int,
        normalized: Bool = false
    ) throws -> Tensor {
        guard case .structured(let general, _, _) = weights else {
            throw ModelError.invalidInput("a CoOp prompt does not depend on the image: use textFeatures(model:classes:start:end:)")
        }
        let instance = try instanceContext(visionHiddenStates: visionHiddenStates, images: images)
        let nI = instance.shape[0] / max(images, 1)
        let width = instance.shape[1]
        var texts: [[TextInputSegment]] = []
        texts.reserveCapacity(images * classes.count)
        for image in 0..<images {
            let rows = try Tensor(shape: [nI, width], scalars: Array(instance.scalars[(image * nI * width)..<((image + 1) * nI * width)]))
            for c in classes {
                texts.append([.tokens([start]), .vectors(general), .tokens(c.name), .vectors(rows), .tokens(c.suffix), .tokens([end])])
            }
        }
        return try model.encodeTexts(segments: texts, normalized: normalized)
    }

    /// A structured prompt's instance context: [images · nInstance, Wt].
    public func instanceContext(visionHiddenStates: Tensor, images: Int) throws -> Tensor {
        guard case .structured(_, let queries, let attention) = weights else {
            throw ModelError.invalidInput("a CoOp prompt has no instance context")
        }
        return try attention.forward(queries: queries, vision: visionHiddenStates, images: images)
    }
}
