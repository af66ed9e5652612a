/// Which product linear layers run on (`engine.gemm`): the best the CPU has, or one forced so
/// that every path can be exercised and measured on any machine that can run it. A load-time
/// choice: weights take the layout it names as they are prepared (`layout(for:)`), so models
/// loaded with different kernels coexist in one process.
public enum GEMMKernel: String, Sendable, CaseIterable {
    /// The packed kernel with the widest micro-kernel the CPU has, else `cblas_sgemm`.
    case auto
    /// The packed kernel's AVX-512F micro-kernel (12 × 32).
    case avx512
    /// The packed kernel's AVX2 + FMA micro-kernel (6 × 16), also on CPUs with AVX-512.
    case avx2
    /// `cblas_sgemm` over plain weights, on every CPU.
    case openblas

    public struct Unavailable: Error, Equatable, CustomStringConvertible {
        public let kernel: GEMMKernel
        public init(kernel: GEMMKernel) { self.kernel = kernel }
        public var description: String {
            "engine.gemm = \(kernel.rawValue) needs \(kernel == .avx512 ? "AVX-512F" : "AVX2 and FMA"), which this CPU lacks"
        }
    }

    /// Whether this CPU can run it.
    public var isAvailable: Bool { (try? fp32Layout()) != nil }

    /// The layout fp32 weights take for this kernel on this CPU.
    public func fp32Layout() throws(Unavailable) -> PreparedWeight.Layout {
        let layout: PreparedWeight.Layout
        switch self {
        case .auto: return .bestAvailable
        case .openblas: return .plain
        case .avx512: layout = .packed(.avx512)
        case .avx2: layout = .packed(.avx2)
        }
        guard layout.isAvailable else { throw Unavailable(kernel: self) }
        return layout
    }

    /// The layout weights take for products in `precision`: bf16 has one kernel (its own packed
    /// panels) whatever this fp32 choice says; fp32 takes `fp32Layout()`.
    public func layout(for precision: Precision) throws -> PreparedWeight.Layout {
        if precision == .fp32 { return try fp32Layout() }
        _ = try precision.checkedAvailable()
        return .packedBF16
    }
}
