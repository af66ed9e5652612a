import Foundation
import Imaging
import Models
import Tokenizers

/// Everything needed to run one CLIP from a Hugging Face directory: the model, the tokenizer of
/// its text tower (CLIP's BPE, or WordPiece for Chinese-CLIP's BERT) and its image preprocessor — checked against each other at load, so a mismatched
/// directory fails at start-up rather than on some request.
public struct CLIPBundle: Sendable {
    /// The name adapters and prompts declare as the CLIP they were made for (`clip.id` in their
    /// manifests): the embedded default's own, else the directory's name.
    public let name: String
    /// Declared name + digest of the weights: how responses, `/v1/models` and the index's
    /// embedding space name this model, wherever its directory lies.
    public let identity: ModelIdentity
    public let directory: URL
    public let model: CLIPModel
    public let tokenizer: any TextTokenizer
    public let preprocessor: CLIPImagePreprocessor

    /// Loads `config.json`, `model.safetensors`, `vocab.json` + `merges.txt` (+ `tokenizer_config.json`)
    /// and `preprocessor_config.json` (CLIP's defaults at the model's image size when absent), the
    /// model's linear layers prepared as `options` says (`PrecisionGate.loadCLIP` chooses them
    /// from `engine.precision` and `engine.gemm`).
    public static func load(directory: URL, name: String? = nil, options: ModelLoadOptions = .standard) throws(EngineError) -> CLIPBundle {
        let path = directory.path
        let model: CLIPModel
        let identity: ModelIdentity
        do {
            model = try CLIPModel.load(directory: directory, options: options)
            identity = try ModelIdentity.of(directory: directory, name: name)
        } catch {
            throw .modelLoad(directory: path, reason: "\(error)")
        }
        let tokenizer: any TextTokenizer
        let maxPositions: Int
        do {
            switch model.configuration.text {
            case .clip(let text):
                tokenizer = try CLIPTokenizer(directory: directory)
                maxPositions = text.maxPositionEmbeddings
            case .bert(let text):
                maxPositions = text.maxSequenceLength
                tokenizer = try TokenizerFit.fitting(positions: maxPositions) { try BertTokenizer(directory: directory, maxLength: $0) }
            }
        } catch {
            throw .modelLoad(directory: path, reason: "\(error)")
        }
        let vocabSize = model.configuration.text.vocabSize
        guard tokenizer.vocabularySize <= vocabSize else {
            throw .modelLoad(
                directory: path,
                reason: "the tokenizer has \(tokenizer.vocabularySize) tokens but text_config.vocab_size is \(vocabSize)")
        }
        guard tokenizer.maxLength <= maxPositions else {
            throw .modelLoad(
                directory: path,
                reason: "model_max_length \(tokenizer.maxLength) exceeds max_position_embeddings \(maxPositions)")
        }

        let imageSize = model.configuration.vision.imageSize
        var config = CLIPPreprocessorConfig()
        let configURL = directory.appendingPathComponent("preprocessor_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            do { config = try CLIPPreprocessorConfig(contentsOf: configURL) } catch {
                throw .modelLoad(directory: path, reason: "\(error)")
            }
        } else {
            config.size = .shortestEdge(imageSize)
            config.cropHeight = imageSize
            config.cropWidth = imageSize
        }
        let preprocessor = CLIPImagePreprocessor(config: config)
        // The vision tower has fixed position embeddings: every image must arrive at its size.
        let output = preprocessor.outputSize(width: 4 * imageSize, height: 3 * imageSize)
        guard output.height == imageSize, output.width == imageSize else {
            throw .modelLoad(
                directory: path,
                reason: "preprocessor_config.json yields \(output.width)x\(output.height) images; vision_config.image_size is \(imageSize)")
        }
        return CLIPBundle(
            name: name ?? directory.standardizedFileURL.lastPathComponent, identity: identity, directory: directory,
            model: model, tokenizer: tokenizer, preprocessor: preprocessor)
    }

    public var dimension: Int { model.projectionDim }
    /// What the model's linear layers were prepared for; adapters and prompts load with the same.
    public var options: ModelLoadOptions { model.options }

    /// The same bundle serving `model` instead (another load of the same directory).
    func serving(_ model: CLIPModel) -> CLIPBundle {
        CLIPBundle(
            name: name, identity: identity, directory: directory, model: model, tokenizer: tokenizer, preprocessor: preprocessor)
    }
}
