import CPackedGEMM

/// A linear layer's [out, in] weight, laid out once for the fastest product this CPU has.
///
/// With AVX-512 (or AVX2 + FMA) the weight is packed into 32-column panels (`CPackedGEMM`) and
/// multiplied by our own kernel, split across `Parallel.workers` by panels. OpenBLAS would
/// re-pack the weight on every call, which at batch 1 (50 rows against up to 768 × 3072
/// weights) costs more than a sixth of the pass. Without either the weight stays as loaded and
/// products go to `cblas_sgemm` (`Linear`). Only one copy is ever kept.
///
/// Loaded in `Precision.bf16`, the weight is packed as bfloat16 pairs for the AVX512-BF16
/// kernel (`packed_gemm_bf16.h`) instead. Which of these a weight takes is its `layout`, chosen
/// by whoever loads it (`GEMMKernel.layout(for:)`).
public final class PreparedWeight: @unchecked Sendable {
    /// How the weight is laid out, and so which kernel its products run on: fixed when the weight
    /// is prepared (from the load's `ModelLoadOptions`), never by a process-wide switch, so
    /// weights of models loaded for different kernels coexist.
    public enum Layout: Sendable, Hashable, CustomStringConvertible {
        /// 32-column panels for the packed kernel, multiplied by the given micro-kernel (both
        /// read the same panels).
        case packed(InstructionSet)
        /// PyTorch's [out, in], for `cblas_sgemm`.
        case plain
        /// 32-column panels of bf16 pairs for the bf16 kernel.
        case packedBF16

        /// The packed layout with the widest micro-kernel this CPU has, else plain.
        public static let bestAvailable: Layout = detectedInstructionSet == .none ? .plain : .packed(detectedInstructionSet)

        /// What products of a weight in this layout run on, for logs, `adaptclip version` and benchmarks.
        public var description: String {
            switch self {
            case .plain: "OpenBLAS cblas_sgemm (\(BLASBackend.coreName) kernels)"
            case .packed(.avx512): "packed kernel (AVX-512F)"
            case .packed: "packed kernel (AVX2 + FMA)"
            case .packedBF16: "packed bf16 kernel (AVX512-BF16)"
            }
        }

        /// Whether this CPU can run it.
        public var isAvailable: Bool {
            switch self {
            case .plain: true
            case .packed(let set): set != .none && set.rawValue <= detectedInstructionSet.rawValue
            case .packedBF16: Precision.bf16.isAvailable
            }
        }
    }

    /// The vector instructions of the packed kernel's micro-kernels.
    public enum InstructionSet: Int32, Sendable, Hashable, CustomStringConvertible {
        case none = 0
        /// AVX2 + FMA: 6 rows × 16 columns per micro-kernel.
        case avx2 = 1
        /// AVX-512F: 12 rows × 32 columns per micro-kernel.
        case avx512 = 2

        public var description: String {
            switch self {
            case .none: "none"
            case .avx2: "AVX2 + FMA"
            case .avx512: "AVX-512F"
            }
        }
    }

    /// The widest micro-kernel this CPU can run (read once: the CPU does not change under a process).
    public static let detectedInstructionSet = InstructionSet(rawValue: adaptclip_packed_gemm_detected_instruction_set()) ?? .none

    /// The CPU and the kernels of a model whose linear layers take `layout`, one line: for the
    /// listen log, benchmark headers and test logs.
    public static func kernelReport(layout: Layout) -> String {
        "CPU \(CPUDescription.current.summary); \(kernelSummary(layout: layout))"
    }

    /// `kernelReport` without the CPU (for `adaptclip version`, which names it once).
    public static func kernelSummary(layout: Layout) -> String {
        let precision: Precision = layout == .packedBF16 ? .bf16 : .fp32
        return "linear layers: \(precision.rawValue), \(layout); attention: OpenBLAS \(BLASBackend.coreName) kernels"
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
        _ weight: TensorBuffer, outFeatures: Int, inFeatures: Int, layout: Layout = .bestAvailable
    ) {
        precondition(outFeatures >= 0 && inFeatures >= 0 && weight.count == outFeatures * inFeatures, "weight is [out, in]")
        precondition(layout.isAvailable, "this CPU cannot run \(layout)")
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
        let (packed, inFeatures, outFeatures, layout) = (UnsafePointer(storage.pointer), inFeatures, outFeatures, layout)
        Parallel.forEachChunk(count: panels, minimumChunk: minimumChunk) { _, range in
            // Workers own disjoint panels, so disjoint output columns.
            let (first, end, add) = (range.lowerBound, range.upperBound, Int32(accumulate ? 1 : 0))
            switch layout {
            case .packedBF16:
                adaptclip_packed_gemm_bf16(x, inFeatures, rows, inFeatures, packed, outFeatures, first, end, bias, add, y, outFeatures)
            case .packed(let set):
                adaptclip_packed_gemm(
                    x, inFeatures, rows, inFeatures, packed, outFeatures, first, end, bias, add, y, outFeatures, set.rawValue)
            case .plain:
                preconditionFailure("a plain weight is multiplied by cblas_sgemm")
            }
        }
    }
}
