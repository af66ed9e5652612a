// OpenBLAS's own cblas.h (found through pkg-config's include path) also declares
// openblas_get_config() and the threading controls, which the generic cblas.h lacks.
#include <cblas.h>
