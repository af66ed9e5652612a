import Foundation
import Numerics

/// The `hidden_act` values of BERT checkpoints this port computes.
///
///     x: [count] in place
///
/// References: transformers/activations.py — `GELUActivation` ("gelu", exact x · Φ(x) via erf,
/// what bert-base-chinese uses), `NewGELUActivation` ("gelu_new", the tanh approximation;
/// "gelu_pytorch_tanh" is the same function) and `nn.ReLU` ("relu").
public enum BERTActivation: String, Sendable, Equatable, CaseIterable {
    case gelu = "gelu"
    case geluNew = "gelu_new"
    case geluPyTorchTanh = "gelu_pytorch_tanh"
    case relu = "relu"

    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu:
            Activation.gelu.apply(x, count: count)
        case .geluNew, .geluPyTorchTanh:
            // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
            let scale: Float = 0.7978845608028654
            Parallel.forEachChunk(count: count, minimumChunk: 1 << 14) { _, range in
                for i in range {
                    let v = x[i]
                    x[i] = 0.5 * v * (1 + tanhf(scale * (v + 0.044715 * v * v * v)))
                }
            }
        case .relu:
            // NaN compares false and passes through, as in torch.relu.
            for i in 0..<count where x[i] < 0 { x[i] = 0 }
        }
    }
}
