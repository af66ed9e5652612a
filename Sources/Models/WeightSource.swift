import Numerics

/// Where a model's named tensors come from: a checkpoint file, or weights built in memory
/// (benchmarks). Loading asks for every tensor by its checkpoint name and expected shape.
public protocol WeightSource {
    /// The tensor `name` as Float32; throws `ModelError.missingTensor` when absent.
    func tensor(named name: String) throws -> Tensor
}

extension SafeTensorsFile: WeightSource {}

extension WeightSource {
    /// The tensor `name`, which must have exactly `shape`.
    func load(_ name: String, shape: [Int]) throws -> TensorBuffer {
        let tensor = try tensor(named: name)
        // A scalar parameter (`logit_scale`) is saved with shape [] by PyTorch; accept [1] too.
        let matches = tensor.shape == shape || (shape.isEmpty && tensor.shape == [1])
        guard matches else { throw ModelError.tensorShapeMismatch(tensor: name, expected: shape, actual: tensor.shape) }
        return TensorBuffer(tensor)
    }
}
