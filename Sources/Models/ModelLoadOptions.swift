import Numerics

/// How a model's weights are prepared as it loads: choices fixed for the model's life and passed
/// to every load (`CLIPModel.load(directory:options:)`, `BERTModel.load(directory:options:)`, the
/// adapters' and prompts' loads), never flipped in a process-global afterwards, so two models of
/// one process may differ (a bf16 model beside its fp32 twin for `PrecisionParity`).
public struct ModelLoadOptions: Sendable, Equatable {
    /// The number format of the linear layers' products (layer norm, softmax, activations,
    /// residuals and attention are fp32 in every precision).
    public var precision: Precision

    public init(precision: Precision = .fp32) {
        self.precision = precision
    }

    /// fp32, on the fp32 kernel `engine.gemm` selected.
    public static let standard = ModelLoadOptions()

    /// `weight` [outFeatures, inFeatures] prepared for products in `precision`; refused when this
    /// CPU cannot run that precision.
    func prepared(_ weight: TensorBuffer, outFeatures: Int, inFeatures: Int) throws(Precision.Unavailable) -> PreparedWeight {
        PreparedWeight(weight, outFeatures: outFeatures, inFeatures: inFeatures, precision: try precision.checkedAvailable())
    }
}
