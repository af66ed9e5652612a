import Numerics

/// Process-wide cap on the threads model math uses (`engine.threads`): our own workers (packed
/// GEMMs and the row-wise passes) and OpenBLAS's pool (the GEMMs it still runs). What the math
/// runs on is not process-wide: each model carries its `ModelLoadOptions` (`kernelReport`).
public enum MathThreads {
    public static func set(_ count: Int) {
        Parallel.setWorkers(count)
        BLASBackend.setThreadCount(count)
    }

    public static var current: Int { Parallel.workers }
}
