import COpenBLAS

/// Row-major single-precision matrix products over `cblas_sgemm`.
public enum Matmul {
    /// c[m, n] = alpha * a[m, k] · b[n, k]ᵀ + beta * c — the shape of a linear layer whose
    /// weight is stored `[out, in]` as in PyTorch checkpoints.
    public static func linear(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }

    /// c[m, n] = alpha * a[m, k] · b[k, n] + beta * c.
    public static func product(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(k), b, Int32(n), beta, c, Int32(n))
    }
}
