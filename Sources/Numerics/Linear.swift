import COpenBLAS

/// A fully connected layer as PyTorch's `nn.Linear` stores it.
///
///     x: [rows, inFeatures]   weight: [outFeatures, inFeatures]   bias: [outFeatures]
///     y: [rows, outFeatures] = x · weightᵀ + bias
///
/// The bias is broadcast into `y` first and the GEMM accumulates onto it (beta = 1), so the
/// bias costs one pass over `y` and no extra buffer. That pass is split across the workers:
/// on the calling thread alone it would leave the other cores idle between two GEMMs.
public enum Linear {
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outFeatures > 0 else { return }
        if let bias {
            forEachRowChunk(rows: rows, width: outFeatures) { range in
                for r in range { (y + r * outFeatures).update(from: bias, count: outFeatures) }
            }
        }
        // No inputs: the map is the bias alone (and BLAS refuses a leading dimension of 0).
        guard inFeatures > 0 else {
            if bias == nil { y.update(repeating: 0, count: rows * outFeatures) }
            return
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outFeatures), Int32(inFeatures),
            1, x, Int32(inFeatures), weight, Int32(inFeatures), bias == nil ? 0 : 1, y, Int32(outFeatures))
    }

    /// The same map added onto `y` in place: y[rows, out] += x · weightᵀ + bias.
    ///
    /// A pre-norm transformer's output projections feed a residual; accumulating into the
    /// residual stream (GEMM with beta = 1) saves a buffer and a pass over it.
    public static func accumulate(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outFeatures > 0 else { return }
        if let bias {
            forEachRowChunk(rows: rows, width: outFeatures) { range in
                for r in range { Residual.add(bias, into: y + r * outFeatures, count: outFeatures) }
            }
        }
        guard inFeatures > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outFeatures), Int32(inFeatures),
            1, x, Int32(inFeatures), weight, Int32(inFeatures), 1, y, Int32(outFeatures))
    }

    /// Rows split across the workers once a chunk holds enough floats to repay the hand-off.
    private static func forEachRowChunk(rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, (1 << 14) / width)) { _, range in body(range) }
    }
}
