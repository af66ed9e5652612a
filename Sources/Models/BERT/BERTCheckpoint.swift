import Numerics

/// A BERT `model.safetensors` read under `BertModel`'s tensor names, whichever of the two
/// published layouts the file uses:
///
/// - `BertModel.save_pretrained`: `embeddings.word_embeddings.weight`, ...
/// - `BertForPreTraining` (bert-base-chinese): `bert.embeddings.word_embeddings.weight`, ...,
///   plus `cls.*` pre-training heads, which the encoder never asks for and so ignores.
///
/// TF-converted checkpoints (bert-base-chinese among them) name LayerNorm parameters
/// `LayerNorm.gamma` / `LayerNorm.beta`; transformers renames them to `weight` / `bias` at load
/// (modeling_utils.py, `_fix_state_dict_key_on_load`), and so does this source.
struct BERTCheckpoint: WeightSource {
    let file: SafeTensorsFile
    /// `""` or `"bert."`, decided once from where the word embeddings are.
    let prefix: String

    static let probe = "embeddings.word_embeddings.weight"

    init(file: SafeTensorsFile) throws {
        self.file = file
        if file.entries[Self.probe] != nil {
            prefix = ""
        } else if file.entries["bert." + Self.probe] != nil {
            prefix = "bert."
        } else {
            throw ModelError.missingTensor("\(Self.probe) (also looked for bert.\(Self.probe)) in \(file.path)")
        }
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
