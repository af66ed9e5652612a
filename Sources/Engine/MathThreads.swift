import Numerics

/// Process-wide cap on the threads model math uses (`engine.threads`): our own workers (packed
/// GEMMs and the row-wise passes) and OpenBLAS's pool (the GEMMs it still runs).
public enum MathThreads {
    public static func set(_ count: Int) {
        Parallel.setWorkers(count)
        BLASBackend.setThreadCount(count)
    }

    public static var current: Int { Parallel.workers }

    /// `engine.gemm`: linear layers of models loaded from now on run on `cblas_sgemm` (true) or
    /// on the packed kernel where the CPU can run it (false).
    public static func useOpenBLASOnly(_ on: Bool) { PreparedWeight.useOpenBLASOnly(on) }

    /// What the linear layers of the next loaded model will run on, for logs.
    public static var linearLayerKernel: String { PreparedWeight.kernelDescription }
}
