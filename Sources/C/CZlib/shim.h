#include <zlib.h>

// deflateInit2 is a macro (it passes the library version and the stream's size), which Swift
// cannot call; this wrapper asks for the gzip wrapper (window bits 15 + 16).
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
