import Foundation
import Models
import Tokenizers

/// A published encoder trained into a CLIP's text space (Taiyi-CLIP, M-CLIP) with its own
/// tokenizer: a whole Chinese (or multilingual) path that needs no trained adapter.
public struct PublishedLanguageEncoder: Sendable {
    public let model: PublishedTextEncoder
    public let tokenizer: any TextTokenizer
    /// Declared name + weights digest; its `id` is the `producer` of its vectors.
    public let identity: ModelIdentity
    public let directory: URL

    /// Loads a directory written by training/convert_checkpoint.py, checked against the CLIP it
    /// will serve beside: its features must have the CLIP's text-space dimension. Loaded with
    /// the CLIP's precision and kernel, and run once (warm-up) so that everything that can
    /// fail fails here, before it can serve.
    public static func load(directory: URL, clip: CLIPBundle) throws(PublishedEncoderRefusal) -> PublishedLanguageEncoder {
        let path = directory.path
        do {
            let model = try PublishedTextEncoder.load(directory: directory, options: clip.options)
            guard model.outputDimension == clip.dimension else {
                throw PublishedEncoderRefusal(
                    directory: path,
                    reason: "its features have \(model.outputDimension) dimensions but the CLIP's text space has \(clip.dimension): it was trained for another CLIP")
            }
            // The tokenizer `adaptclip tokenize --model` reads: WordPiece for Taiyi-CLIP (BERT),
            // Unigram for M-CLIP (XLM-R), never longer than the position table.
            let tokenizer = try ModelDirectory.tokenizer(of: directory)
            guard tokenizer.vocabularySize <= model.model.configuration.vocabSize else {
                throw PublishedEncoderRefusal(
                    directory: path,
                    reason: "the tokenizer has \(tokenizer.vocabularySize) tokens but config.json vocab_size is \(model.model.configuration.vocabSize)")
            }
            let encoder = PublishedLanguageEncoder(
                model: model, tokenizer: tokenizer, identity: try ModelIdentity.of(directory: directory), directory: directory)
            _ = try model.encode(tokenIDs: [tokenizer.encode("你好")])
            return encoder
        } catch let refusal as PublishedEncoderRefusal {
            throw refusal
        } catch {
            throw PublishedEncoderRefusal(directory: path, error)
        }
    }

    /// Whether `directory` holds a published text encoder (config.json's `adaptclip` block names
    /// taiyi-clip or m-clip) rather than a trained adapter or a plain BERT.
    public static func isPublishedEncoder(_ directory: URL) -> Bool {
        guard let info = try? PublishedModelInfo.read(directory: directory) else { return false }
        return info.format.isTextEncoder
    }

    public var languages: [String] { model.info.languages }

    /// How the language slot and the adapters table name it: the declared name, the format as
    /// its version, the weights' digest.
    public var adapterIdentity: AdapterIdentity {
        AdapterIdentity(name: identity.name, version: model.info.format.rawValue, digest: identity.digest)
    }
}
