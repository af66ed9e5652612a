import Foundation
import Models
import Tokenizers

/// The frozen Chinese text encoder: a Hugging Face BERT directory and its WordPiece vocabulary.
/// Language adapters map its hidden states into CLIP's text space.
public struct ChineseEncoder: Sendable {
    /// The id adapters name as `base_encoder.id` (default: the directory's name).
    public let name: String
    /// Declared name + digest of the weights (what `/v1/models` lists).
    public let identity: ModelIdentity
    public let directory: URL
    public let model: BERTModel
    public let tokenizer: BertTokenizer

    /// The model's linear layers are prepared as `options` says: the options the CLIP it serves
    /// beside was loaded with, so the Chinese path runs in the same precision and kernel.
    public static func load(
        directory: URL, name: String? = nil, options: ModelLoadOptions = .standard
    ) throws(EngineError) -> ChineseEncoder {
        let model: BERTModel
        let identity: ModelIdentity
        do {
            model = try BERTModel.load(directory: directory, options: options)
            identity = try ModelIdentity.of(directory: directory, name: name)
        } catch {
            throw .modelLoad(directory: directory.path, reason: "\(error)")
        }
        let tokenizer: BertTokenizer
        do {
            tokenizer = try TokenizerFit.fitting(positions: model.configuration.maxSequenceLength) {
                try BertTokenizer(directory: directory, maxLength: $0)
            }
        } catch {
            throw .modelLoad(directory: directory.path, reason: "\(error)")
        }
        guard tokenizer.vocabularySize <= model.configuration.vocabSize else {
            throw .modelLoad(
                directory: directory.path,
                reason: "vocab.txt has \(tokenizer.vocabularySize) tokens but config.json vocab_size is \(model.configuration.vocabSize)")
        }
        return ChineseEncoder(
            name: name ?? directory.standardizedFileURL.lastPathComponent, identity: identity, directory: directory,
            model: model, tokenizer: tokenizer)
    }
}
