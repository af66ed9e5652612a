/// Which product linear layers run on (`engine.gemm`): the best the CPU has, or one forced so
/// that every path can be exercised and measured on any machine that can run it.
public enum GEMMKernel: String, Sendable, CaseIterable {
    /// The packed kernel with the widest micro-kernel the CPU has, else `cblas_sgemm`.
    case auto
    /// The packed kernel's AVX-512F micro-kernel (12 × 32).
    case avx512
    /// The packed kernel's AVX2 + FMA micro-kernel (6 × 16), also on CPUs with AVX-512.
    case avx2
    /// `cblas_sgemm` over plain weights, on every CPU.
    case openblas

    public struct Unavailable: Error, CustomStringConvertible {
        public let kernel: GEMMKernel
        public init(kernel: GEMMKernel) { self.kernel = kernel }
        public var description: String {
            "engine.gemm = \(kernel.rawValue) needs \(kernel == .avx512 ? "AVX-512F" : "AVX2 and FMA"), which this CPU lacks"
        }
    }

    /// Whether this CPU can run it.
    public var isAvailable: Bool {
        switch self {
        case .auto, .openblas: true
        case .avx512: PreparedWeight.detectedInstructionSet == .avx512
        case .avx2: PreparedWeight.detectedInstructionSet != .none
        }
    }

    /// Makes this the kernel of every linear layer loaded from now on (weights already loaded
    /// keep their layout; a packed weight runs on whichever micro-kernel is selected).
    public func select() throws(Unavailable) {
        switch self {
        case .auto:
            PreparedWeight.useOpenBLASOnly(false)
            PreparedWeight.limitInstructionSet(to: .avx512)
        case .avx512, .avx2:
            let wanted: PreparedWeight.InstructionSet = self == .avx512 ? .avx512 : .avx2
            guard PreparedWeight.limitInstructionSet(to: wanted) == wanted else {
                PreparedWeight.limitInstructionSet(to: .avx512)
                throw Unavailable(kernel: self)
            }
            PreparedWeight.useOpenBLASOnly(false)
        case .openblas:
            PreparedWeight.useOpenBLASOnly(true)
        }
    }
}
