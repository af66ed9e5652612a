import Foundation
import Models
import Tokenizers

/// What kind of Hugging Face model a directory holds, from `config.json`'s `model_type`, and
/// the tokenizer its files define.
public enum ModelDirectory {
    public enum Kind: String, Sendable, CaseIterable {
        case clip
        /// Chinese-CLIP: a whole CLIP whose text tower is a BERT.
        case chineseCLIP = "chinese_clip"
        case bert
        /// M-CLIP's text encoder as training/convert_checkpoint.py writes it.
        case xlmRoberta = "xlm-roberta"
    }

    public static func kind(of directory: URL) throws(EngineError) -> Kind {
        let url = directory.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .modelLoad(directory: directory.path, reason: "no config.json")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let type = object["model_type"] as? String else {
            throw .modelLoad(directory: directory.path, reason: "config.json has no model_type")
        }
        guard let kind = Kind(rawValue: type) else {
            throw .modelLoad(
                directory: directory.path,
                reason: "model_type '\(type)' is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// Whether the directory is a whole CLIP (`--model`) rather than a text encoder.
    public static func isCLIP(_ directory: URL) throws(EngineError) -> Bool {
        switch try kind(of: directory) {
        case .clip, .chineseCLIP: true
        case .bert, .xlmRoberta: false
        }
    }

    /// The tokenizer the directory's files define, as its model would read text: CLIP's BPE,
    /// WordPiece (BERT, Taiyi-CLIP, Chinese-CLIP) or SentencePiece Unigram (M-CLIP's
    /// tokenizer.json).
    public static func tokenizer(of directory: URL) throws(EngineError) -> any TextTokenizer {
        let kind = try kind(of: directory)
        do {
            switch kind {
            case .clip: return try CLIPTokenizer(directory: directory)
            case .chineseCLIP: return try BertTokenizer(directory: directory)
            case .bert, .xlmRoberta:
                let positions = try BERTConfiguration.load(contentsOf: directory.appendingPathComponent("config.json")).maxSequenceLength
                if kind == .xlmRoberta {
                    return try TokenizerFit.fitting(positions: positions) { try UnigramTokenizer(directory: directory, maxLength: $0) }
                }
                return try TokenizerFit.fitting(positions: positions) { try BertTokenizer(directory: directory, maxLength: $0) }
            }
        } catch {
            throw .modelLoad(directory: directory.path, reason: "\(error)")
        }
    }
}
