// A C API over Debian's static libfaiss (which ships no C API of its own).
// Rules of this boundary: opaque handles, int status returns (AFS_OK = 0 is success), a
// C++ try/catch at every entry point, error text written into a caller-provided buffer, and a
// _free for every function that hands out memory.
//
// Error buffers: every fallible function takes `char *error, size_t error_capacity`. On failure
// the message is copied there, truncated to fit and always NUL-terminated when the capacity is
// non-zero; on success the buffer is left untouched. AFS_ERROR_CAPACITY bytes hold every message
// the shim itself writes in full; FAISS messages (which name the C++ function) may be truncated.
// `error` may be NULL (the message is then dropped; the status still tells what happened).
//
// Thread safety: a handle may be searched from several threads at once (FAISS search is const),
// but train / add / remove / set_parameter need exclusive access. The caller (the Swift
// `VectorIndex`) enforces that with a reader-writer lock.
//
// Ids: every index is an IndexIDMap2 around the index the factory string describes, so callers
// use their own 64-bit ids (in AdaptCLIP: the SQLite row id).
#ifndef ADAPTCLIP_FAISS_SHIM_H
#define ADAPTCLIP_FAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Recommended size of error buffers, in bytes.
#define AFS_ERROR_CAPACITY 1024

/// Status codes.
enum {
    AFS_OK = 0,
    /// A null pointer, a wrong dimension, k <= 0, a negative count, an unknown parameter.
    AFS_INVALID_ARGUMENT = 1,
    /// FAISS threw (unknown factory string, untrained index, ...); the message is FAISS's.
    AFS_FAISS_ERROR = 2,
    /// The operation does not exist for this index type (e.g. remove_ids on HNSW).
    AFS_UNSUPPORTED = 3,
    /// A file could not be read or written, or it does not hold an index this shim wrote.
    AFS_IO_ERROR = 4,
    AFS_OUT_OF_MEMORY = 5,
    /// Any other C++ exception.
    AFS_UNKNOWN_ERROR = 6,
};

/// Opaque handle: an IndexIDMap2 that owns the index inside it.
typedef struct afs_index afs_index;

/// The FAISS version this shim was compiled against, e.g. "1.7.3". Static storage.
const char *afs_version(void);

/// Creates an empty index from an index-factory string ("Flat", "HNSW32", "IVF1024,Flat",
/// "IVF1024,PQ64", ...) with the inner-product metric, wrapped in IndexIDMap2. The string must
/// not itself start with "IDMap" (the shim adds the id map). `dimension` must be > 0.
/// On success *out receives a handle to release with afs_index_free.
int afs_index_new(const char *factory, int32_t dimension, afs_index **out, char *error, size_t error_capacity);

/// Releases a handle (NULL is allowed).
void afs_index_free(afs_index *index);

/// Trains the index on `n` vectors of `dimension` floats each, row-major. `dimension` must equal
/// the index's dimension. Training an index that needs none is a no-op.
int afs_index_train(afs_index *index, int64_t n, int32_t dimension, const float *vectors,
                    char *error, size_t error_capacity);

/// *out = 1 when the index can accept vectors (trained, or needs no training), else 0.
int afs_index_is_trained(const afs_index *index, int *out, char *error, size_t error_capacity);

/// Adds `n` vectors (row-major, `dimension` floats each) under the given 64-bit ids.
/// Ids are not checked for duplicates (FAISS would keep both); the caller owns id uniqueness.
int afs_index_add_with_ids(afs_index *index, int64_t n, int32_t dimension, const float *vectors,
                           const int64_t *ids, char *error, size_t error_capacity);

/// Searches `nq` queries (row-major, `dimension` floats each) for the `k` largest inner products.
/// `scores` and `ids` are caller-allocated arrays of nq * k entries; slots without a hit hold
/// id -1 and score -INFINITY.
/// `allowed_ids` (may be NULL when `allowed_count` is 0; `allowed_count` < 0 means "no filter")
/// restricts the hits to those ids. How the filter runs depends on the index type (FAISS 1.7.3's
/// IndexIDMap2 refuses search parameters, so the shim maps the ids itself):
///   - Flat and other flat-code indexes, IVF: a FAISS IDSelectorBatch in SearchParameters;
///   - HNSW: an exact scan over the allowed vectors (HNSW's own filtered search loses hits when
///     the filter is selective);
///   - anything else: over-fetching (k doubled until k allowed hits or the whole index is seen).
int afs_index_search(const afs_index *index, int64_t nq, int32_t dimension, const float *queries, int64_t k,
                     const int64_t *allowed_ids, int64_t allowed_count,
                     float *scores, int64_t *ids, char *error, size_t error_capacity);

/// Removes the given ids; *removed (may be NULL) receives how many were present.
/// Returns AFS_UNSUPPORTED for index types that cannot remove (HNSW) and leaves them unchanged.
int afs_index_remove_ids(afs_index *index, int64_t n, const int64_t *ids, int64_t *removed,
                         char *error, size_t error_capacity);

/// *out = 1 when afs_index_remove_ids works for this index type, else 0.
int afs_index_supports_removal(const afs_index *index, int *out, char *error, size_t error_capacity);

/// *out = number of vectors in the index.
int afs_index_ntotal(const afs_index *index, int64_t *out, char *error, size_t error_capacity);

/// *out = the vector dimension.
int afs_index_dimension(const afs_index *index, int32_t *out, char *error, size_t error_capacity);

/// Copies the ids held by the index, in insertion order, into `ids` (capacity `capacity`);
/// *count receives ntotal. Fails with AFS_INVALID_ARGUMENT when capacity < ntotal.
int afs_index_copy_ids(const afs_index *index, int64_t *ids, int64_t capacity, int64_t *count,
                       char *error, size_t error_capacity);

/// Sets a search-time parameter: "nprobe" (IVF) or "efSearch" (HNSW). Setting a parameter the
/// index type does not have is AFS_INVALID_ARGUMENT. Exclusive access required.
int afs_index_set_parameter(afs_index *index, const char *name, double value, char *error, size_t error_capacity);

/// Writes the index to `path` (FAISS's own format; not atomic: callers write a temp file and rename).
int afs_index_write_file(const afs_index *index, const char *path, char *error, size_t error_capacity);

/// Reads an index that afs_index_write_file wrote. Files that do not hold an IndexIDMap2 are refused.
int afs_index_read_file(const char *path, afs_index **out, char *error, size_t error_capacity);

/// Serialises the index into a buffer the shim allocates; release it with afs_buffer_free.
int afs_index_serialize(const afs_index *index, uint8_t **bytes, size_t *length, char *error, size_t error_capacity);

/// Reads an index from `length` bytes that afs_index_serialize produced.
int afs_index_deserialize(const uint8_t *bytes, size_t length, afs_index **out, char *error, size_t error_capacity);

/// Releases a buffer from afs_index_serialize (NULL is allowed).
void afs_buffer_free(uint8_t *bytes);

#ifdef __cplusplus
}
#endif

#endif
