// Exact inner-product scans with a running top-k, for the vector index's exact paths (a flat
// index, the inverted lists an IVF search visits).
//
// Why this exists: Debian's libfaiss 1.7.3 is built for baseline x86-64, so its distance loops
// are scalar (`fvec_inner_product_ref`): a flat search over 100k × 512 took 140 ms. These kernels
// read the same rows with AVX-512F or AVX2 + FMA (+ F16C for half-precision rows), chosen at run
// time, with a portable scalar kernel everywhere else; every kernel computes the same scores up to
// float rounding order. Rows are either float32 (FAISS's own flat storage, read in place) or
// IEEE half precision (half the bytes to stream; the scan is memory-bound).
//
// The caller splits work across threads (each thread its own top-k, merged at the end), so every
// function here is reentrant and allocation-free.
#ifndef ADAPTCLIP_VECTOR_SCAN_H
#define ADAPTCLIP_VECTOR_SCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ADAPTCLIP_SCAN_SCALAR 0  // portable C, any CPU
#define ADAPTCLIP_SCAN_AVX2 1    // AVX2 + FMA + F16C
#define ADAPTCLIP_SCAN_AVX512 2  // AVX-512F (its VCVTPH2PS converts half precision)

/// The widest kernel this CPU can run (ADAPTCLIP_SCAN_AVX512, _AVX2 or _SCALAR).
int adaptclip_scan_detected_kernel(void);

/// The k best (score, label) pairs seen so far: a min-heap over caller-owned arrays of k slots,
/// the worst kept pair at the root. Ties keep the pair pushed first (scans push in row order, so
/// the lower position wins, as FAISS's flat search does).
typedef struct {
    float *scores;
    int64_t *labels;
    size_t capacity;
    size_t count;
} adaptclip_topk;

void adaptclip_topk_init(adaptclip_topk *best, float *scores, int64_t *labels, size_t k);

/// Offers one pair; kept when the heap is not full or `score` beats the worst kept pair.
void adaptclip_topk_push(adaptclip_topk *best, float score, int64_t label);

/// Sorts the kept pairs best first (ties: lower label first) in place and pads the slots past
/// `count` with label -1 and score -infinity (FAISS's convention for missing hits).
void adaptclip_topk_finish(adaptclip_topk *best);

/// Scores `count` float32 rows (row r at rows + r * dimension) against `query` and offers each to
/// `best` under label labels[r], or first_label + r when `labels` is NULL. `kernel` must be at most
/// adaptclip_scan_detected_kernel().
void adaptclip_scan_f32(int kernel, const float *query, size_t dimension, const float *rows, size_t count,
                        const int64_t *labels, int64_t first_label, adaptclip_topk *best);

/// As adaptclip_scan_f32 over half-precision rows (IEEE binary16 bit patterns).
void adaptclip_scan_f16(int kernel, const float *query, size_t dimension, const uint16_t *rows, size_t count,
                        const int64_t *labels, int64_t first_label, adaptclip_topk *best);

/// float32 → binary16, rounding to nearest even (overflow → infinity; NaN stays NaN).
uint16_t adaptclip_f16_from_float(float value);

/// binary16 → float32 (exact).
float adaptclip_float_from_f16(uint16_t half);

#ifdef __cplusplus
}
#endif

#endif
