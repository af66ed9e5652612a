import Numerics

/// A BERT `model.safetensors` read under `BertModel`'s tensor names, whichever published layout
/// the file uses. The layouts differ only in what precedes `BertModel`'s own names:
///
/// - `""`: `BertModel.save_pretrained` (`embeddings.word_embeddings.weight`, ...)
/// - `"bert."`: `BertForPreTraining` (bert-base-chinese) and `BertForSequenceClassification`
///   (Taiyi-CLIP), beside heads (`cls.*`, `classifier.*`) the encoder never asks for
/// - `"transformer."`: M-CLIP's `MultilingualCLIP` (XLM-R, beside `LinearTransformation.*`)
/// - `"text_model."`: Chinese-CLIP's `ChineseCLIPModel` (beside `vision_model.*` and the projections)
///
/// TF-converted checkpoints (bert-base-chinese among them) name LayerNorm parameters
/// `LayerNorm.gamma` / `LayerNorm.beta`; transformers renames them to `weight` / `bias` at load
/// (modeling_utils.py, `_fix_state_dict_key_on_load`), and so does this source.
struct BERTCheckpoint: WeightSource {
    let file: SafeTensorsFile
    /// One of `knownPrefixes`, decided once from where the word embeddings are.
    let prefix: String

    static let probe = "embeddings.word_embeddings.weight"
    static let knownPrefixes = ["", "bert.", "transformer.", "text_model."]

    /// The layout whose word embeddings the file holds; a file holding two is refused, since
    /// which encoder it means cannot be told.
    init(file: SafeTensorsFile) throws {
        let found = Self.knownPrefixes.filter { file.entries[$0 + Self.probe] != nil }
        guard found.count == 1, let prefix = found.first else {
            let names = Self.knownPrefixes.map { $0 + Self.probe }
            throw found.isEmpty
                ? ModelError.missingTensor("\(Self.probe) (looked for \(names.joined(separator: ", "))) in \(file.path)")
                : ModelError.invalidSafeTensors(
                    path: file.path, reason: "holds more than one BERT encoder (\(found.map { $0 + Self.probe }.joined(separator: ", ")))")
        }
        self.init(file: file, prefix: prefix)
    }

    /// The encoder under `prefix` (a model whose layout is known, such as Chinese-CLIP's `text_model.`).
    init(file: SafeTensorsFile, prefix: String) {
        self.file = file
        self.prefix = prefix
    }

    /// The checkpoint's own name for the `BertModel` tensor `name`, if the file holds it.
    func storedName(of name: String) -> String? {
        let full = prefix + name
        if file.entries[full] != nil { return full }
        for (modern, legacy) in [("LayerNorm.weight", "LayerNorm.gamma"), ("LayerNorm.bias", "LayerNorm.beta")]
        where full.hasSuffix(modern) {
            let renamed = String(full.dropLast(modern.count)) + legacy
            if file.entries[renamed] != nil { return renamed }
        }
        return nil
    }

    func contains(_ name: String) -> Bool { storedName(of: name) != nil }

    /// Whether the file holds any part of `BertPooler`: half a pooler is a broken file, not an
    /// absent pooler, so loading it then fails naming the missing half.
    var hasPooler: Bool { contains("pooler.dense.weight") || contains("pooler.dense.bias") }

    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        guard let stored = storedName(of: name) else { throw ModelError.missingTensor(prefix + name) }
        let tensor = try file.tensor(named: stored)
        // Report a wrong shape under the name the file uses, so the user can find it.
        guard tensor.shape == expectedShape else {
            throw ModelError.tensorShapeMismatch(tensor: stored, expected: expectedShape, actual: tensor.shape)
        }
        return tensor
    }
}
