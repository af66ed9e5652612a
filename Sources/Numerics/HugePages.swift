#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for long-lived, large buffers (model weights).
///
/// Linux only, and advisory: with THP set to `madvise` (Debian's default) memory gets 2 MiB
/// pages only where asked; where THP is off or unsupported the call fails harmlessly and the
/// buffer keeps ordinary pages.
enum HugePages {
    /// The x86-64 and arm64 huge page size; buffers that ask are aligned to it.
    static let size = 2 << 20

    /// Asks for huge pages over the whole pages of `pointer ..< pointer + byteCount`
    /// (`pointer` aligned to `size`).
    static func advise(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        _ = madvise(pointer, byteCount / size * size, MADV_HUGEPAGE)
        #endif
    }
}
