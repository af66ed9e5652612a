import CPackedGEMM

/// The number format linear layers multiply in, chosen when a model is loaded.
///
/// `bf16` rounds weights (once, at load) and activations (per product) to bfloat16 — fp32's
/// exponent with 8 significant bits — and sums in fp32: about twice the multiply-adds per
/// instruction and half the weight bytes on CPUs with AVX512-BF16, for a relative rounding of
/// each input of at most 2⁻⁹. Everything else in a forward pass (layer norm, softmax, GELU,
/// residuals, attention, biases) stays fp32 either way.
public enum Precision: String, Sendable, CaseIterable {
    case fp32
    case bf16

    /// Which bf16 kernel the CPU can run.
    public enum BF16InstructionSet: Int32, Sendable {
        case none = 0
        /// AVX512-BF16 (VDPBF16PS): AMD Zen 4, Intel Cooper Lake and Sapphire Rapids.
        case avx512BF16 = 1
    }

    /// Read once: the CPU does not change under a process.
    public static let bf16InstructionSet = BF16InstructionSet(rawValue: adaptclip_bf16_gemm_instruction_set()) ?? .none

    /// The fastest precision this CPU runs well: bf16 where it has a bf16 kernel, else fp32.
    public static var auto: Precision { bf16InstructionSet == .none ? .fp32 : .bf16 }

    /// Whether this CPU can run it.
    public var isAvailable: Bool { self == .fp32 || Self.bf16InstructionSet != .none }

    public struct Unavailable: Error, Equatable, CustomStringConvertible {
        public let precision: Precision
        public init(precision: Precision) { self.precision = precision }
        public var description: String {
            "precision \(precision.rawValue) needs a CPU with AVX512-BF16 (AMD Zen 4, Intel Cooper Lake, Sapphire Rapids or later), which this one lacks"
        }
    }

    /// `self`, or `Unavailable` where this CPU cannot run it.
    public func checkedAvailable() throws(Unavailable) -> Precision {
        guard isAvailable else { throw Unavailable(precision: self) }
        return self
    }
}

/// A precision as a setting names it (`auto`, `fp32`, `bf16`), resolved against this CPU.
public enum PrecisionChoice: String, Sendable, CaseIterable {
    /// bf16 where the CPU has a bf16 kernel, else fp32 (`Precision.auto`).
    case auto
    case fp32
    case bf16

    /// The precision to load models in; asking for bf16 on a CPU without a bf16 kernel is refused
    /// rather than quietly run in fp32, so a configuration never means two things.
    public func resolved() throws(Precision.Unavailable) -> Precision {
        switch self {
        case .auto: Precision.auto
        case .fp32: .fp32
        case .bf16: try Precision.bf16.checkedAvailable()
        }
    }
}
