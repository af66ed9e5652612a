// See include/packed_gemm.h for what this is and why.
//
// Two micro-kernels over the same packed layout, named by each call: AVX-512F (12 rows ×
// 32 columns in 24 zmm registers) and AVX2 + FMA (6 rows × 16 columns in 12 ymm registers, run
// once per half panel), for CPUs without AVX-512 such as AMD Zen 2/3.
//
// Blocking, innermost first:
// - a micro-kernel computes a few rows × one panel (or half panel) over KC steps of the inner
//   dimension, with every accumulator in a register;
// - the KC × 32 slice of the panel (16 KiB) stays in L1 while every row block of the M block
//   runs over it;
// - the M block's activations, packed per row block as [in][rows], stay in L2 (A_BUDGET) while
//   the thread walks its panels, so each weight panel is read from memory once per M block —
//   at batch 1 exactly once per call.
#include "packed_gemm.h"
#include "kernel_blocking.h"
#include "thread_scratch.h"

#include <immintrin.h>
#include <stdatomic.h>

#define W ADAPTCLIP_PANEL_WIDTH
#define MAX_ROWS_256 6  // AVX2 row block
#define DIRECT_ROWS 512 // see adaptclip_packed_gemm
// Measured best on Zen 4 among KC 128/256/384 and budgets 512/768 KiB; -D overrides them for
// tuning runs.
#ifndef KC
#define KC 256
#endif
#ifndef A_BUDGET
#define A_BUDGET (512 * 1024)
#endif

static int detected_instruction_set(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return ADAPTCLIP_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ADAPTCLIP_ISA_AVX2;
    return ADAPTCLIP_ISA_NONE;
}

int adaptclip_packed_gemm_detected_instruction_set(void) { return detected_instruction_set(); }

int adaptclip_packed_gemm_available(void) { return detected_instruction_set() != ADAPTCLIP_ISA_NONE; }

void adaptclip_pack_weight(const float *weight, size_t out_features, size_t in_features, float *packed) {
    size_t panels = adaptclip_panel_count(out_features);
    for (size_t p = 0; p < panels; p++) {
        float *panel = packed + p * in_features * W;
        for (size_t j = 0; j < W; j++) {
            size_t column = p * W + j;
            if (column < out_features) {
                const float *source = weight + column * in_features;
                for (size_t k = 0; k < in_features; k++) panel[k * W + j] = source[k];
            } else {
                for (size_t k = 0; k < in_features; k++) panel[k * W + j] = 0;
            }
        }
    }
}

// rows × 32 outputs over `steps` inner steps; `b` is [steps][32]. With `direct` (a constant at
// every call) `a` is the activations themselves, row r at a + r·a_stride; otherwise the packed
// row block, [steps][rows]. First block of the inner dimension: y = (add ? y : 0) + bias + acc;
// later blocks: y += acc.
__attribute__((target("avx512f"), always_inline)) static inline void micro_kernel_512(
    const int rows, const int direct, size_t steps, const float *restrict a, size_t a_stride,
    const float *restrict b, float *restrict y, size_t y_stride, int add, const float *bias, __mmask16 mask0,
    __mmask16 mask1) {
    __m512 acc[MAX_ROWS][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    for (size_t k = 0; k < steps; k++) {
        __m512 b0 = _mm512_load_ps(b + k * W);
        __m512 b1 = _mm512_load_ps(b + k * W + 16);
        for (int r = 0; r < rows; r++) {
            __m512 av = _mm512_set1_ps(direct ? a[r * a_stride + k] : a[k * rows + r]);
            acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
        }
    }
    store_rows_512(rows, acc, y, y_stride, add, bias, mask0, mask1);
}

#define KERNEL_CASE_512(n)                                                                                  \
    case n:                                                                                                 \
        if (direct)                                                                                         \
            micro_kernel_512(n, 1, steps, a, a_stride, b, y, y_stride, add, bias, mask0, mask1);            \
        else                                                                                                \
            micro_kernel_512(n, 0, steps, a, a_stride, b, y, y_stride, add, bias, mask0, mask1);            \
        break;

__attribute__((target("avx512f"))) static void micro_kernel_rows_512(
    int rows, int direct, size_t steps, const float *a, size_t a_stride, const float *b, float *y, size_t y_stride,
    int add, const float *bias, size_t columns) {
    __mmask16 mask0, mask1;
    column_masks(columns, &mask0, &mask1);
    switch (rows) {
        KERNEL_CASE_512(1) KERNEL_CASE_512(2) KERNEL_CASE_512(3) KERNEL_CASE_512(4) KERNEL_CASE_512(5)
        KERNEL_CASE_512(6) KERNEL_CASE_512(7) KERNEL_CASE_512(8) KERNEL_CASE_512(9) KERNEL_CASE_512(10)
        KERNEL_CASE_512(11) KERNEL_CASE_512(12)
        default: break;
    }
}

// rows × 16 outputs (half a panel) over `steps` inner steps, as micro_kernel_512 otherwise.
// `b` points at the half's first column; the panel row stride stays W.
__attribute__((target("avx2,fma"), always_inline)) static inline void micro_kernel_256(
    const int rows, size_t steps, const float *restrict a, const float *restrict b, float *restrict y,
    size_t y_stride, int add, const float *bias, __m256i mask0, __m256i mask1) {
    __m256 acc[MAX_ROWS_256][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = _mm256_setzero_ps();
        acc[r][1] = _mm256_setzero_ps();
    }
    for (size_t k = 0; k < steps; k++) {
        __m256 b0 = _mm256_load_ps(b + k * W);
        __m256 b1 = _mm256_load_ps(b + k * W + 8);
        for (int r = 0; r < rows; r++) {
            __m256 av = _mm256_broadcast_ss(a + k * rows + r);
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
    }
    __m256 bias0 = bias ? _mm256_maskload_ps(bias, mask0) : _mm256_setzero_ps();
    __m256 bias1 = bias ? _mm256_maskload_ps(bias + 8, mask1) : _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) {
        float *out = y + r * y_stride;
        __m256 v0 = _mm256_add_ps(acc[r][0], bias0);
        __m256 v1 = _mm256_add_ps(acc[r][1], bias1);
        if (add) {
            v0 = _mm256_add_ps(v0, _mm256_maskload_ps(out, mask0));
            v1 = _mm256_add_ps(v1, _mm256_maskload_ps(out + 8, mask1));
        }
        _mm256_maskstore_ps(out, mask0, v0);
        _mm256_maskstore_ps(out + 8, mask1, v1);
    }
}

#define KERNEL_CASE_256(n)                                                                                     \
    case n:                                                                                                    \
        micro_kernel_256(n, steps, a, b + half * 16, y + half * 16, y_stride, add, bias ? bias + half * 16 : NULL, \
                         mask0, mask1);                                                                        \
        break;

__attribute__((target("avx2,fma"))) static void micro_kernel_rows_256(
    int rows, size_t steps, const float *a, const float *b, float *y, size_t y_stride, int add,
    const float *bias, size_t columns) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (size_t half = 0; half < 2 && columns > half * 16; half++) {
        int valid = (int)(columns - half * 16);
        __m256i mask0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lanes);
        __m256i mask1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid - 8), lanes);
        switch (rows) {
            KERNEL_CASE_256(1) KERNEL_CASE_256(2) KERNEL_CASE_256(3)
            KERNEL_CASE_256(4) KERNEL_CASE_256(5) KERNEL_CASE_256(6)
            default: break;
        }
    }
}

void adaptclip_packed_gemm(
    const float *x, size_t x_stride, size_t rows, size_t in_features,
    const float *packed, size_t out_features, size_t first_panel, size_t end_panel,
    const float *bias, int accumulate, float *y, size_t y_stride, int instruction_set) {
    if (rows == 0 || in_features == 0 || first_panel >= end_panel) return;
    int wide = instruction_set == ADAPTCLIP_ISA_AVX512;
    size_t max_rows = wide ? MAX_ROWS : MAX_ROWS_256;
    // Up to DIRECT_ROWS rows the AVX-512 kernel broadcasts straight from the activations: their
    // rows stay in cache, and packing them (every thread packs its own copy) cost more than it
    // saved — 2–6% at 50 and 256 rows. Above, packed row blocks read better.
    int direct = wide && rows <= DIRECT_ROWS;
    size_t block_rows = m_block_rows(rows, in_features * sizeof(float), max_rows, A_BUDGET);
    float *activations = direct ? NULL : adaptclip_thread_scratch(block_rows * in_features * sizeof(float));

    for (size_t m0 = 0; m0 < rows; m0 += block_rows) {
        size_t m = rows - m0 < block_rows ? rows - m0 : block_rows;
        size_t blocks = (m + max_rows - 1) / max_rows;
        for (size_t blk = 0; !direct && blk < blocks; blk++) {
            size_t r0 = block_start(m, blocks, blk), r1 = block_start(m, blocks, blk + 1), n = r1 - r0;
            // Written in order, read from n row streams (which stay in L1 for 16 steps each):
            // the other loop order scatters the stores and cost ~4% of a batch of short texts.
            float *destination = activations + r0 * in_features;
            const float *source = x + (m0 + r0) * x_stride;
            for (size_t k = 0; k < in_features; k++)
                for (size_t r = 0; r < n; r++) *destination++ = source[r * x_stride + k];
        }
        for (size_t p = first_panel; p < end_panel; p++) {
            size_t columns = out_features - p * W < W ? out_features - p * W : W;
            const float *panel = packed + p * in_features * W;
            for (size_t k0 = 0; k0 < in_features; k0 += KC) {
                size_t steps = in_features - k0 < KC ? in_features - k0 : KC;
                int first = k0 == 0;
                for (size_t blk = 0; blk < blocks; blk++) {
                    size_t r0 = block_start(m, blocks, blk), r1 = block_start(m, blocks, blk + 1);
                    const float *a = direct ? x + (m0 + r0) * x_stride + k0 : activations + r0 * in_features + k0 * (r1 - r0);
                    float *out = y + (m0 + r0) * y_stride + p * W;
                    const float *panel_bias = first && bias ? bias + p * W : NULL;
                    int add = first ? accumulate : 1;
                    if (wide)
                        micro_kernel_rows_512(
                            (int)(r1 - r0), direct, steps, a, x_stride, panel + k0 * W, out, y_stride, add, panel_bias,
                            columns);
                    else
                        micro_kernel_rows_256((int)(r1 - r0), steps, a, panel + k0 * W, out, y_stride, add, panel_bias, columns);
                }
            }
        }
    }
}
