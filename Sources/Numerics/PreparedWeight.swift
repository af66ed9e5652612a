import CPackedGEMM
import Synchronization

/// A linear layer's [out, in] weight, laid out once for the fastest product this CPU has.
///
/// With AVX-512 (or AVX2 + FMA) the weight is packed into 32-column panels (`CPackedGEMM`) and
/// multiplied by our own kernel, split across `Parallel.workers` by panels. OpenBLAS would
/// re-pack the weight on every call, which at batch 1 (50 rows against up to 768 × 3072
/// weights) costs more than a sixth of the pass. Without either the weight stays as loaded and
/// products go to `cblas_sgemm` (`Linear`). Only one copy is ever kept.
///
/// Loaded in `Precision.bf16`, the weight is packed as bfloat16 pairs for the AVX512-BF16
/// kernel (`packed_gemm_bf16.h`) instead, whatever fp32 kernel is selected.
public final class PreparedWeight: @unchecked Sendable {
    public enum Layout: Sendable, Equatable {
        /// 32-column panels for the packed kernel.
        case packed
        /// PyTorch's [out, in], for `cblas_sgemm`.
        case plain
        /// 32-column panels of bf16 pairs for the bf16 kernel.
        case packedBF16
    }

    /// `.packed` where the CPU can run the kernel.
    public static let bestAvailableLayout: Layout = adaptclip_packed_gemm_available() != 0 ? .packed : .plain

    /// The vector instructions of the packed kernel's micro-kernels.
    public enum InstructionSet: Int32, Sendable {
        case none = 0
        /// AVX2 + FMA: 6 rows × 16 columns per micro-kernel.
        case avx2 = 1
        /// AVX-512F: 12 rows × 32 columns per micro-kernel.
        case avx512 = 2
    }

    /// The widest micro-kernel this CPU can run, whatever is selected.
    public static var detectedInstructionSet: InstructionSet {
        InstructionSet(rawValue: adaptclip_packed_gemm_detected_instruction_set()) ?? .none
    }

    /// What packed products run on now.
    public static var instructionSet: InstructionSet {
        InstructionSet(rawValue: adaptclip_packed_gemm_instruction_set()) ?? .none
    }

    /// What linear layers loaded now run on, for logs, `adaptclip version` and benchmarks.
    public static var kernelDescription: String {
        guard preferredLayout == .packed else { return "OpenBLAS cblas_sgemm (\(BLASBackend.coreName) kernels)" }
        return instructionSet == .avx512 ? "packed kernel (AVX-512F)" : "packed kernel (AVX2 + FMA)"
    }

    /// The CPU and every kernel choice on it, one line: for the listen log, `adaptclip version`,
    /// benchmark headers and test logs.
    public static var kernelReport: String { kernelReport(precision: .fp32) }

    /// `kernelReport` for models loaded in `precision`.
    public static func kernelReport(precision: Precision) -> String {
        "CPU \(CPUDescription.current.summary); linear layers: \(precision.rawValue), \(precision.kernelDescription); attention: OpenBLAS \(BLASBackend.coreName) kernels"
    }

    /// For tests and benchmarks: run packed products with at most `most` (never more than the
    /// CPU has). Packed weights stay valid: both micro-kernels read the same layout.
    @discardableResult
    public static func limitInstructionSet(to most: InstructionSet) -> InstructionSet {
        InstructionSet(rawValue: adaptclip_packed_gemm_limit_instruction_set(most.rawValue)) ?? .none
    }

    /// Set by `engine.gemm = "openblas"` (before models load): every weight stays plain.
    private static let openBLASOnly = Atomic<Bool>(false)

    /// What weights loaded from now on use: the best available, unless OpenBLAS was asked for.
    public static var preferredLayout: Layout {
        openBLASOnly.load(ordering: .relaxed) ? .plain : bestAvailableLayout
    }

    /// Routes every linear layer loaded after this call to `cblas_sgemm` (true) or back to the
    /// best available kernel (false). Weights already loaded keep their layout.
    public static func useOpenBLASOnly(_ on: Bool) {
        openBLASOnly.store(on, ordering: .relaxed)
    }

    public let outFeatures: Int
    public let inFeatures: Int
    public let layout: Layout

    /// What the product rounds its inputs to.
    public var precision: Precision { layout == .packedBF16 ? .bf16 : .fp32 }

    /// Whether a row's product is the same bits however many rows one call multiplies. The
    /// packed micro-kernels (fp32 and bf16) give every output element one fixed sequence of FMAs
    /// (or bf16 pair dot products) over the inner dimension (KC-step blocks in order, bias then
    /// residual added last) whatever the row count, row block or thread split, and the bf16
    /// kernel rounds each activation by itself. cblas_sgemm promises nothing of the kind:
    /// OpenBLAS runs other edge kernels (with other accumulation orders) when a call has fewer
    /// rows than its unroll.
    public var computesRowsIndependently: Bool { layout != .plain }
    /// Written only here, before the weight is shared (the `TensorBuffer` contract).
    private let storage: TensorBuffer

    /// `weight` holds [outFeatures, inFeatures] row-major (a convolution's [out, c, h, w] is
    /// that with inFeatures = c·h·w). With `.plain` the buffer itself is kept; with `.packed` it
    /// is copied into panels and may be released by the caller. An empty weight stays plain
    /// (its product is the bias alone, which `Linear` writes).
    public init(
        _ weight: TensorBuffer, outFeatures: Int, inFeatures: Int, layout: Layout = PreparedWeight.preferredLayout
    ) {
        precondition(outFeatures >= 0 && inFeatures >= 0 && weight.count == outFeatures * inFeatures, "weight is [out, in]")
        precondition(layout != .packed || adaptclip_packed_gemm_available() != 0, "the packed layout needs AVX-512F or AVX2 with FMA")
        precondition(layout != .packedBF16 || Precision.bf16.isAvailable, "the bf16 layout needs AVX512-BF16")
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        let layout = outFeatures == 0 || inFeatures == 0 ? .plain : layout
        self.layout = layout
        switch layout {
        case .plain:
            storage = weight
        case .packed:
            storage = TensorBuffer(weightCount: adaptclip_packed_size(outFeatures, inFeatures))
            adaptclip_pack_weight(weight.pointer, outFeatures, inFeatures, storage.pointer)
        case .packedBF16:
            // Float-sized storage holds the bf16 pairs as 32-bit words; only C reads them.
            storage = TensorBuffer(weightCount: adaptclip_bf16_packed_words(outFeatures, inFeatures))
            adaptclip_pack_weight_bf16(weight.pointer, outFeatures, inFeatures, storage.pointer)
        }
    }

    /// The weight prepared for products in `precision`: fp32 in `preferredLayout` (the fp32
    /// kernel `engine.gemm` selected), bf16 in bf16 panels. bf16 needs `precision.isAvailable`.
    public convenience init(_ weight: TensorBuffer, outFeatures: Int, inFeatures: Int, precision: Precision) {
        self.init(
            weight, outFeatures: outFeatures, inFeatures: inFeatures,
            layout: precision == .bf16 ? .packedBF16 : PreparedWeight.preferredLayout)
    }

    /// y[rows, out] = x[rows, in] · weightᵀ + bias.
    public func apply(
        _ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
    ) {
        product(x, rows: rows, bias: bias, accumulate: false, into: y)
    }

    /// y[rows, out] += x[rows, in] · weightᵀ + bias (a residual folded into the product).
    public func accumulate(
        _ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
    ) {
        product(x, rows: rows, bias: bias, accumulate: true, into: y)
    }

    private func product(
        _ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, accumulate: Bool,
        into y: UnsafeMutablePointer<Float>
    ) {
        switch (layout, accumulate) {
        case (.plain, false):
            Linear.apply(
                x, rows: rows, inFeatures: inFeatures, weight: storage.pointer, bias: bias, outFeatures: outFeatures, into: y)
        case (.plain, true):
            Linear.accumulate(
                x, rows: rows, inFeatures: inFeatures, weight: storage.pointer, bias: bias, outFeatures: outFeatures, into: y)
        case (.packed, _), (.packedBF16, _):
            packedProduct(x, rows: rows, bias: bias, accumulate: accumulate, into: y)
        }
    }

    /// Floating-point work one hand-off to a worker must carry to repay waking it (a few µs).
    static let minimumFlopsPerChunk = 1 << 20

    private func packedProduct(
        _ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, accumulate: Bool,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outFeatures > 0 else { return }
        let panels = adaptclip_panel_count(outFeatures)
        let flopsPerPanel = 2 * rows * inFeatures * Int(ADAPTCLIP_PANEL_WIDTH)
        let minimumChunk = max(1, Self.minimumFlopsPerChunk / max(1, flopsPerPanel))
        let (packed, inFeatures, outFeatures, bf16) = (UnsafePointer(storage.pointer), inFeatures, outFeatures, layout == .packedBF16)
        Parallel.forEachChunk(count: panels, minimumChunk: minimumChunk) { _, range in
            // Workers own disjoint panels, so disjoint output columns.
            let (first, end, add) = (range.lowerBound, range.upperBound, Int32(accumulate ? 1 : 0))
            if bf16 {
                adaptclip_packed_gemm_bf16(x, inFeatures, rows, inFeatures, packed, outFeatures, first, end, bias, add, y, outFeatures)
            } else {
                adaptclip_packed_gemm(x, inFeatures, rows, inFeatures, packed, outFeatures, first, end, bias, add, y, outFeatures)
            }
        }
    }
}
