import Numerics

/// How a model's weights are prepared as it loads: choices fixed for the model's life and passed
/// to every load (`CLIPModel.load(directory:options:)`, `BERTModel.load(directory:options:)`, the
/// adapters' and prompts' loads), never flipped in a process-global afterwards, so two models of
/// one process may differ (a bf16 model beside its fp32 twin for `PrecisionParity`, or one model
/// on the AVX2 micro-kernel beside another on OpenBLAS).
public struct ModelLoadOptions: Sendable, Hashable, CustomStringConvertible {
    /// The number format of the linear layers' products (layer norm, softmax, activations,
    /// residuals and attention are fp32 in every precision).
    public var precision: Precision
    /// The fp32 kernel of the linear layers (`engine.gemm`); bf16 products have a single kernel,
    /// so in bf16 it only decides the fp32 twin the precision gate measures against.
    public var gemm: GEMMKernel

    public init(precision: Precision = .fp32, gemm: GEMMKernel = .auto) {
        self.precision = precision
        self.gemm = gemm
    }

    /// fp32, on the best fp32 kernel this CPU has.
    public static let standard = ModelLoadOptions()

    /// The same kernel choice in fp32: what a lower precision is measured against.
    public var fp32Twin: ModelLoadOptions { ModelLoadOptions(precision: .fp32, gemm: gemm) }

    /// The layout every linear layer loaded with these options takes; refused
    /// (`Precision.Unavailable`, `GEMMKernel.Unavailable`) where this CPU cannot run it.
    public func layout() throws -> PreparedWeight.Layout { try gemm.layout(for: precision) }

    /// The CPU and what the linear layers and attention of a model loaded with these options run
    /// on, one line (for the listen log, `adaptclip version`, benchmark headers and test logs).
    public var kernelReport: String { "CPU \(CPUDescription.current.summary); \(kernelSummary)" }

    /// `kernelReport` without the CPU.
    public var kernelSummary: String {
        do { return PreparedWeight.kernelSummary(layout: try layout()) } catch { return "linear layers: \(error)" }
    }

    public var description: String { "precision \(precision.rawValue), engine.gemm \(gemm.rawValue)" }

    /// `weight` [outFeatures, inFeatures] prepared for these options; refused when this CPU cannot
    /// run them.
    func prepared(_ weight: TensorBuffer, outFeatures: Int, inFeatures: Int) throws -> PreparedWeight {
        PreparedWeight(weight, outFeatures: outFeatures, inFeatures: inFeatures, layout: try layout())
    }
}
