import Foundation
import Models
import Numerics

/// `engine.precision` and `engine.gemm` turned into the `ModelLoadOptions` a CLIP serves with.
///
/// A lower precision (bf16) serves only after it passes a gate at load: the bf16 model's image
/// and text features on `PrecisionParity`'s fixed probe keep a cosine of at least the configured
/// minimum to its fp32 twin (the same directory, on the configured fp32 kernel). Asked for
/// explicitly, a failing bf16 is refused; under `auto` the fp32 twin serves instead (and the
/// outcome says why). The twin lives only for the measurement, or as the fallback.
public enum PrecisionGate {
    /// What was asked, what serves, and the measurement that decided it.
    public struct Outcome: Sendable, Equatable, CustomStringConvertible {
        public let requested: PrecisionChoice
        /// What the CLIP (and everything loaded beside it) was loaded with.
        public let options: ModelLoadOptions
        /// bf16 against fp32, when bf16 was tried.
        public let parity: PrecisionParity?
        public let minimumCosine: Double
        /// Why `auto` serves fp32 where the CPU has a bf16 kernel, when it does.
        public let fallback: String?

        public var description: String {
            var text = "\(options.precision.rawValue) (engine.precision = \(requested.rawValue))"
            if let parity {
                text += "; bf16 vs fp32 worst cosine \(parity.worstCosine) (images \(parity.worstImageCosine), "
                    + "texts \(parity.worstTextCosine)), gate \(minimumCosine)"
            }
            if let fallback { text += "; \(fallback)" }
            return text
        }
    }

    /// The precision a choice tries first on this CPU, before any gate. `auto` is bf16 only where
    /// the CPU has a bf16 kernel and `engine.gemm` is `auto` too: a forced fp32 kernel is a
    /// request to run that kernel. `bf16` where the CPU has no bf16 kernel is refused by name.
    public static func candidate(for choice: PrecisionChoice, gemm: GEMMKernel) throws(Precision.Unavailable) -> Precision {
        switch choice {
        case .auto: gemm == .auto ? Precision.auto : .fp32
        case .fp32, .bf16: try choice.resolved()
        }
    }

    /// Loads the CLIP at `directory` in the precision `choice` resolves to (see `candidate`), on
    /// the fp32 kernel `gemm`, gated by `minimumCosine` as the type describes.
    public static func loadCLIP(
        directory: URL, name: String? = nil, choice: PrecisionChoice, gemm: GEMMKernel, minimumCosine: Double
    ) throws(EngineError) -> (bundle: CLIPBundle, outcome: Outcome) {
        let precision: Precision
        do { precision = try candidate(for: choice, gemm: gemm) } catch {
            throw .modelLoad(directory: directory.path, reason: "engine.precision = \(choice.rawValue): \(error)")
        }
        let options = ModelLoadOptions(precision: precision, gemm: gemm)
        let bundle = try CLIPBundle.load(directory: directory, name: name, options: options)
        guard precision != .fp32 else {
            return (bundle, Outcome(requested: choice, options: options, parity: nil, minimumCosine: minimumCosine, fallback: nil))
        }
        let twin: CLIPModel
        let parity: PrecisionParity
        do {
            twin = try CLIPModel.load(directory: directory, options: options.fp32Twin)
            parity = try PrecisionParity.measure(candidate: bundle.model, reference: twin)
        } catch {
            throw .modelLoad(directory: directory.path, reason: "measuring \(precision.rawValue) against fp32: \(error)")
        }
        if parity.passes(minimumCosine: minimumCosine) {
            return (bundle, Outcome(requested: choice, options: options, parity: parity, minimumCosine: minimumCosine, fallback: nil))
        }
        let failure = "\(precision.rawValue) features fall to cosine \(parity.worstCosine) of fp32's, "
            + "under engine.precision_min_cosine = \(minimumCosine)"
        guard choice == .auto else { throw .modelLoad(directory: directory.path, reason: failure) }
        return (
            bundle.serving(twin),
            Outcome(
                requested: choice, options: options.fp32Twin, parity: parity, minimumCosine: minimumCosine,
                fallback: "serving fp32: \(failure)")
        )
    }
}
