import Numerics

/// Where a model's named tensors come from: a checkpoint file, or weights built in memory
/// (benchmarks). Loading asks for every tensor by its checkpoint name and the shape the
/// configuration implies; the loader, not the source, checks that the shapes agree.
public protocol WeightSource {
    /// The tensor `name` as Float32. A checkpoint returns what it holds, whatever
    /// `expectedShape` says; a synthetic source may use `expectedShape` to build it.
    /// Throws `ModelError.missingTensor` when absent.
    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor
}

extension SafeTensorsFile: WeightSource {
    public func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        try tensor(named: name)
    }
}

extension WeightSource {
    /// The tensor `name`, which must have exactly `shape`.
    func load(_ name: String, shape: [Int]) throws -> TensorBuffer {
        let tensor = try tensor(named: name, expectedShape: shape)
        // A scalar parameter (`logit_scale`) is saved with shape [] by PyTorch; accept [1] too.
        let matches = tensor.shape == shape || (shape.isEmpty && tensor.shape == [1])
        guard matches else { throw ModelError.tensorShapeMismatch(tensor: name, expected: shape, actual: tensor.shape) }
        return TensorBuffer(tensor)
    }
}

/// The tensors of `base` under `prefix`: one part of a whole model's checkpoint (Chinese-CLIP's
/// `text_model.`) read under the part's own names (`BertModel`'s).
struct PrefixedWeightSource<Base: WeightSource>: WeightSource {
    let base: Base
    let prefix: String

    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        try base.tensor(named: prefix + name, expectedShape: expectedShape)
    }
}
