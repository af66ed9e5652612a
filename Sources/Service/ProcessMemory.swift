import Foundation
#if os(Linux)
import CMalloc
#endif

/// How the long-running server hands freed memory back to the system.
///
/// glibc's malloc raises its mmap threshold each time a large block is freed (up to 32 MiB), so
/// after a few large transient buffers — a 16 MiB request body, a decoded photo, a batch's
/// scratch — later blocks of that size come from the heap instead, and the heap keeps what they
/// leave behind; with one arena per thread (up to 8 per core) the leftovers multiply. Measured
/// with `scripts/adversarial --soak` on the release build (legitimate load with the attacks
/// interleaved): RSS went from 110 MB after warm-up to 273 MB after 10 minutes with no leak to
/// account for it; with the thresholds below it stayed within 93–105 MB. The cost is a fresh
/// mapping for every block above 128 KiB (a model batch's scratch faults its pages in again,
/// well under 1% of a pass at these sizes).
public enum ProcessMemory {
    /// Blocks of this size and above are mapped on their own and unmapped when freed.
    static let mmapThreshold: Int32 = 128 * 1024

    /// Call once, before serving. Fixed thresholds (setting them turns glibc's adjustment off)
    /// and one arena per core, not one per thread that ever allocated.
    public static func returnFreedMemoryPromptly() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, mmapThreshold)
        _ = mallopt(M_ARENA_MAX, Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
        #endif
    }
}
