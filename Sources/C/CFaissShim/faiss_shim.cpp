#include "faiss_shim.h"

#include <faiss/Index.h>

#define AFS_STR2(x) #x
#define AFS_STR(x) AFS_STR2(x)

extern "C" const char *afs_version(void) {
    return AFS_STR(FAISS_VERSION_MAJOR) "." AFS_STR(FAISS_VERSION_MINOR) "." AFS_STR(FAISS_VERSION_PATCH);
}
