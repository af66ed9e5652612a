import COpenBLAS

/// Facts about the BLAS library this process is linked against.
public enum BLASBackend {
    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
    public static var configuration: String {
        guard let raw = openblas_get_config() else { return "unknown" }
        return String(cString: raw)
    }

    /// The kernel family OpenBLAS picked for this CPU at load ("Cooperlake", "Prescott"…): the
    /// one attention's GEMMs (and every product under `engine.gemm = openblas`) run on.
    public static var coreName: String {
        guard let raw = openblas_get_corename() else { return "unknown" }
        return String(cString: raw)
    }

    /// Threads OpenBLAS will use for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Caps OpenBLAS's threads; the engine sets this once at start-up from configuration.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
