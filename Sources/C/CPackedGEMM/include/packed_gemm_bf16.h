// GEMM in bfloat16 over weights packed once, at load, with fp32 accumulation.
//
// Why this exists: on CPUs with AVX512-BF16 (AMD Zen 4, Intel Cooper Lake and Sapphire Rapids)
// one VDPBF16PS does twice the multiply-adds of an fp32 FMA of the same width, and a bf16 weight
// is half the bytes to stream. bf16 keeps fp32's exponent range and 8 of its 24 significand bits;
// the products are exact in fp32 and the sums are fp32, so what changes is the rounding of each
// input to 8 bits (relative error ≤ 2⁻⁹). Only the linear layers' GEMMs run here; layer norm,
// softmax, GELU, residuals and attention stay fp32.
//
// Layout: as the fp32 kernel (packed_gemm.h), ADAPTCLIP_PANEL_WIDTH output columns per panel,
// but each panel holds pairs of bf16 along the inner dimension, [in / 2][W][2]: the 32-bit word
// for (pair kp, column j) is w[j][2kp] in its low half and w[j][2kp + 1] in its high half, which
// is what VDPBF16PS multiplies against a broadcast pair of activations. An odd inner dimension
// is padded with a zero. The same words are AMX's "VNNI" layout for TDPBF16PS's B tiles (16 pair
// rows of 16 columns, row stride one panel row, 128 bytes), so an AMX kernel can read these
// panels as they are.
//
// Activations are converted to bf16 per call (round to nearest even, as VCVTNE2PS2BF16 does),
// by each thread for the rows of its M block, into thread-local scratch, row-major [rows][in / 2]
// pairs (AMX's A-tile layout as well). Bias and residual are added in fp32.
//
// Every output element is one fixed sequence of VDPBF16PS steps over the inner dimension (KC-pair
// blocks in order, then bias, then the residual), whatever the row count, row block or thread
// split: like the fp32 kernel, a row's product does not depend on the rows that share the call.
#ifndef ADAPTCLIP_PACKED_GEMM_BF16_H
#define ADAPTCLIP_PACKED_GEMM_BF16_H

#include <stddef.h>

#include "packed_gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ADAPTCLIP_BF16_ISA_NONE 0
#define ADAPTCLIP_BF16_ISA_AVX512_BF16 1  // AVX512-BF16 (VDPBF16PS): 12 × 32 micro-kernel
// An AMX-BF16 kernel (Sapphire Rapids' tiles) would be 2, over the same packed layout.

/// The bf16 kernel this CPU can run: ADAPTCLIP_BF16_ISA_AVX512_BF16 or ADAPTCLIP_BF16_ISA_NONE.
int adaptclip_bf16_gemm_instruction_set(void);

/// bf16 pairs along an inner dimension of `in_features` (the last one padded when odd).
static inline size_t adaptclip_bf16_pair_count(size_t in_features) { return (in_features + 1) / 2; }

/// 32-bit words (bf16 pairs) a packed bf16 copy of an [out_features, in_features] weight occupies.
static inline size_t adaptclip_bf16_packed_words(size_t out_features, size_t in_features) {
    return adaptclip_panel_count(out_features) * adaptclip_bf16_pair_count(in_features) * ADAPTCLIP_PANEL_WIDTH;
}

/// fp32 → bf16 as VCVTNE2PS2BF16 rounds: to nearest even; a NaN stays a (quiet) NaN; a subnormal
/// becomes a zero of its sign.
unsigned short adaptclip_bf16_from_float(float value);

/// Re-lays out `weight` [out_features, in_features] (row-major) into `packed`
/// (adaptclip_bf16_packed_words words, 64-byte aligned): panel p holds columns p*W ..< p*W+W as
/// [pairs][W] words; columns past out_features and the pad of an odd inner dimension are zero.
/// Portable C: it runs at load, and only ever where adaptclip_bf16_gemm_instruction_set() says so.
void adaptclip_pack_weight_bf16(const float *weight, size_t out_features, size_t in_features, void *packed);

/// y[rows, out] = (accumulate ? y : 0) + bf16(x[rows, in]) · bf16(weight)ᵀ + bias, for the output
/// columns of panels first_panel ..< end_panel only; as adaptclip_packed_gemm otherwise (`x`
/// stays fp32; it is converted here). Requires adaptclip_bf16_gemm_instruction_set() != NONE.
void adaptclip_packed_gemm_bf16(
    const float *x, size_t x_stride, size_t rows, size_t in_features,
    const void *packed, size_t out_features, size_t first_panel, size_t end_panel,
    const float *bias, int accumulate, float *y, size_t y_stride);

#ifdef __cplusplus
}
#endif

#endif
