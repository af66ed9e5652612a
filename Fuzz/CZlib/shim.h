// zlib, the reference the DEFLATE fuzz target compares Imaging's decoder with (fuzzing only:
// the package itself never links zlib).
#include <zlib.h>
