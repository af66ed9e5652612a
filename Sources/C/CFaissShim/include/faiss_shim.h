// A C API over Debian's static libfaiss (which ships no C API of its own).
// Rules of this boundary: opaque handles, int status returns (0 = success), a
// C++ try/catch at every entry point, error text kept in a caller-readable
// buffer, and a _free for every _new.
#ifndef ADAPTCLIP_FAISS_SHIM_H
#define ADAPTCLIP_FAISS_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// The FAISS version this shim was compiled against, e.g. "1.7.3". Static storage.
const char *afs_version(void);

#ifdef __cplusplus
}
#endif

#endif
