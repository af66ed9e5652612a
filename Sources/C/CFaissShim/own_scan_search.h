// Unfiltered searches of flat and IVF-flat indexes with the project's SIMD scan kernels
// (CVectorScan) instead of FAISS 1.7.3's scalar loops; see own_scan_search.cpp.
#ifndef AFS_OWN_SCAN_SEARCH_H
#define AFS_OWN_SCAN_SEARCH_H

#include <faiss/IndexIDMap.h>

#include <cstdint>

namespace afs {

/// Searches `map` with the scan kernels when its inner index is an inner-product IndexFlat or
/// IndexIVFFlat, writing nq × k scores and caller ids as FAISS would (missing slots: id −1, score
/// −∞); returns false, writing nothing, for any other index type.
bool search_with_scan_kernels(const faiss::IndexIDMap2 &map, int64_t nq, const float *queries, int64_t k,
                              float *scores, int64_t *ids);

/// The kernel searches use (ADAPTCLIP_SCAN_*); tests and benchmarks lower it to compare kernels.
int scan_kernel();
void set_scan_kernel(int kernel);

} // namespace afs

#endif
