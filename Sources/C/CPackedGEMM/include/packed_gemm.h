// Single-precision GEMM over weights packed once, at load.
//
// Why this exists: OpenBLAS re-packs both operands on every call. At batch 1 a ViT-B/32 layer
// multiplies 50 rows by weights of up to 768 × 3072, so that re-packing streams the whole model
// through memory twice per image and costs 15–17% of the pass; ONNX Runtime packs its constant
// weights at load. This kernel does the same: a weight matrix is re-laid out once into panels of
// ADAPTCLIP_PANEL_WIDTH output columns, each panel [in][PANEL_WIDTH] contiguous, and the
// product streams those panels in order.
//
// The kernel needs AVX-512F or AVX2 with FMA (checked once, at run time); without either, callers
// keep the plain layout and use cblas_sgemm. The caller splits work across threads by panel ranges, so every function
// here is reentrant; per-thread scratch for the packed activations lives in thread-local storage.
#ifndef ADAPTCLIP_PACKED_GEMM_H
#define ADAPTCLIP_PACKED_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Output columns per packed panel.
#define ADAPTCLIP_PANEL_WIDTH 32

#define ADAPTCLIP_ISA_NONE 0
#define ADAPTCLIP_ISA_AVX2 1    // AVX2 + FMA: 6 × 16 micro-kernel
#define ADAPTCLIP_ISA_AVX512 2  // AVX-512F: 12 × 32 micro-kernel

/// 1 when this CPU can run the packed kernel (AVX-512F, or AVX2 with FMA), else 0.
int adaptclip_packed_gemm_available(void);

/// The widest micro-kernel this CPU can run: ADAPTCLIP_ISA_AVX512, ADAPTCLIP_ISA_AVX2 or
/// ADAPTCLIP_ISA_NONE. There is no process-wide selection: each product names its micro-kernel
/// (both read the same packed layout), so weights loaded for different kernels coexist.
int adaptclip_packed_gemm_detected_instruction_set(void);

/// Panels needed for `out_features` output columns.
static inline size_t adaptclip_panel_count(size_t out_features) {
    return (out_features + ADAPTCLIP_PANEL_WIDTH - 1) / ADAPTCLIP_PANEL_WIDTH;
}

/// Floats a packed copy of an [out_features, in_features] weight occupies.
static inline size_t adaptclip_packed_size(size_t out_features, size_t in_features) {
    return adaptclip_panel_count(out_features) * in_features * ADAPTCLIP_PANEL_WIDTH;
}

/// Re-lays out `weight` [out_features, in_features] (PyTorch's nn.Linear layout, row-major) into
/// `packed` (adaptclip_packed_size floats): panel p holds columns p*W ..< p*W+W as [in][W]; the
/// columns past out_features in the last panel are zero.
void adaptclip_pack_weight(const float *weight, size_t out_features, size_t in_features, float *packed);

/// y[rows, out] = (accumulate ? y : 0) + x[rows, in] · weightᵀ + bias, for the output columns of
/// panels first_panel ..< end_panel only. `x` has row stride `x_stride`, `y` row stride `y_stride`
/// (both in floats); `bias` may be NULL. `instruction_set` is the micro-kernel to run
/// (ADAPTCLIP_ISA_AVX512 or ADAPTCLIP_ISA_AVX2), at most what
/// adaptclip_packed_gemm_detected_instruction_set() reports.
void adaptclip_packed_gemm(
    const float *x, size_t x_stride, size_t rows, size_t in_features,
    const float *packed, size_t out_features, size_t first_panel, size_t end_panel,
    const float *bias, int accumulate, float *y, size_t y_stride, int instruction_set);

#ifdef __cplusplus
}
#endif

#endif
