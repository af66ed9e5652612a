import Numerics

/// Process-wide cap on the threads model math uses (`engine.threads`): our own workers (packed
/// GEMMs and the row-wise passes) and OpenBLAS's pool (the GEMMs it still runs).
public enum MathThreads {
    public static func set(_ count: Int) {
        Parallel.setWorkers(count)
        BLASBackend.setThreadCount(count)
    }

    public static var current: Int { Parallel.workers }

    /// `engine.gemm`: what the linear layers of models loaded from now on run on.
    public static func select(gemm kernel: GEMMKernel) throws(GEMMKernel.Unavailable) { try kernel.select() }

    /// The CPU, its kernel features and what the next loaded model's math runs on, for logs.
    public static var kernelReport: String { PreparedWeight.kernelReport }
}
