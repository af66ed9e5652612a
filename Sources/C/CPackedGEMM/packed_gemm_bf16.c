// See include/packed_gemm_bf16.h for what this is and why.
//
// The blocking is the fp32 kernel's (packed_gemm.c), with pairs of the inner dimension as steps:
// - the micro-kernel keeps 12 rows × 32 columns of fp32 sums in 24 zmm registers; per pair step
//   it loads one panel row (two zmm of 16 bf16 pairs) and, per row, broadcasts the row's pair
//   and issues two VDPBF16PS;
// - a KC_PAIRS × 32 slice of the panel (32 KiB, as the fp32 kernel's) stays near (L1/L2) while
//   every row block of the M block runs over it;
// - the M block's activations, converted to bf16 by the thread that uses them, stay in L2
//   (A_BUDGET) while the thread walks its panels. Converting per thread repeats the conversion
//   on every thread of the split, but keeps it O(rows × in) beside the O(rows × in × out / threads)
//   product, hot in cache when read, and bounded by A_BUDGET per thread, where one shared copy
//   would cost another parallel section and a per-call buffer of rows × in bf16.
#include "packed_gemm_bf16.h"
#include "kernel_blocking.h"
#include "thread_scratch.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define W ADAPTCLIP_PANEL_WIDTH
// Pairs per inner block, and the bytes of converted activations per M block; -D overrides them
// for tuning runs. On Zen 4 (one thread, CPU time, ViT-B/32 shapes) 64 pairs gave 154–197 GFLOP/s,
// 128 gave 183–212, 256 gave 200–222, and 384 to 1536 the same as 256 within noise; budgets of
// 256 KiB to 1 MiB made no difference.
#ifndef KC_PAIRS
#define KC_PAIRS 256
#endif
#ifndef A_BUDGET
#define A_BUDGET (512 * 1024)
#endif

// Everything VDPBF16PS and VCVTNE2PS2BF16 need (every CPU with AVX512-BF16 has AVX512-BW).
#define BF16_TARGET "avx512f,avx512bw,avx512bf16"

int adaptclip_bf16_gemm_instruction_set(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") ? ADAPTCLIP_BF16_ISA_AVX512_BF16 : ADAPTCLIP_BF16_ISA_NONE;
}

unsigned short adaptclip_bf16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7F800000u) == 0) return (unsigned short)((bits >> 16) & 0x8000u);  // zero, subnormal
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (unsigned short)((bits >> 16) | 0x0040u);  // NaN, quieted
    bits += 0x7FFFu + ((bits >> 16) & 1u);  // to nearest, ties to the even significand
    return (unsigned short)(bits >> 16);
}

void adaptclip_pack_weight_bf16(const float *weight, size_t out_features, size_t in_features, void *packed) {
    uint16_t *halves = packed;
    size_t panels = adaptclip_panel_count(out_features), pairs = adaptclip_bf16_pair_count(in_features);
    for (size_t p = 0; p < panels; p++) {
        uint16_t *panel = halves + p * pairs * W * 2;
        for (size_t j = 0; j < W; j++) {
            size_t column = p * W + j;
            const float *source = column < out_features ? weight + column * in_features : NULL;
            for (size_t k = 0; k < pairs * 2; k++)
                panel[((k / 2) * W + j) * 2 + k % 2] = source && k < in_features ? adaptclip_bf16_from_float(source[k]) : 0;
        }
    }
}

// Rows of `x` (row stride x_stride floats) to bf16 pairs, row r at pairs + r * pair_count; the
// pad of an odd inner dimension is zero (masked loads read zeros past the end).
__attribute__((target(BF16_TARGET))) static void convert_rows(
    const float *x, size_t x_stride, size_t rows, size_t in_features, uint32_t *pairs, size_t pair_count) {
    for (size_t r = 0; r < rows; r++) {
        const float *source = x + r * x_stride;
        uint32_t *destination = pairs + r * pair_count;
        for (size_t k = 0; k < in_features; k += 32) {
            size_t n = in_features - k < 32 ? in_features - k : 32;
            __mmask16 low = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
            __mmask16 high = n <= 16 ? 0 : n >= 32 ? 0xFFFF : (__mmask16)((1u << (n - 16)) - 1);
            size_t words = (n + 1) / 2;
            __mmask16 stored = words >= 16 ? 0xFFFF : (__mmask16)((1u << words) - 1);
            __m512bh converted = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(high, source + k + 16), _mm512_maskz_loadu_ps(low, source + k));
            _mm512_mask_storeu_epi32(destination + k / 2, stored, (__m512i)converted);
        }
    }
}

// rows × 32 outputs over `steps` pairs; `a` holds row r's pairs at a + r·a_stride, `b` is
// [steps][32] words. First block of the inner dimension: y = (add ? y : 0) + bias + acc; later
// blocks: y += acc (the fp32 kernel's order).
__attribute__((target(BF16_TARGET), always_inline)) static inline void micro_kernel_bf16(
    const int rows, size_t steps, const uint32_t *restrict a, size_t a_stride, const uint32_t *restrict b,
    float *restrict y, size_t y_stride, int add, const float *bias, __mmask16 mask0, __mmask16 mask1) {
    __m512 acc[MAX_ROWS][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    for (size_t k = 0; k < steps; k++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512(b + k * W);
        __m512bh b1 = (__m512bh)_mm512_load_si512(b + k * W + 16);
        for (int r = 0; r < rows; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r * a_stride + k]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
        }
    }
    store_rows_512(rows, acc, y, y_stride, add, bias, mask0, mask1);
}

#define KERNEL_CASE_BF16(n) \
    case n: micro_kernel_bf16(n, steps, a, a_stride, b, y, y_stride, add, bias, mask0, mask1); break;

__attribute__((target(BF16_TARGET))) static void micro_kernel_rows_bf16(
    int rows, size_t steps, const uint32_t *a, size_t a_stride, const uint32_t *b, float *y, size_t y_stride, int add,
    const float *bias, size_t columns) {
    __mmask16 mask0, mask1;
    column_masks(columns, &mask0, &mask1);
    switch (rows) {
        KERNEL_CASE_BF16(1) KERNEL_CASE_BF16(2) KERNEL_CASE_BF16(3) KERNEL_CASE_BF16(4) KERNEL_CASE_BF16(5)
        KERNEL_CASE_BF16(6) KERNEL_CASE_BF16(7) KERNEL_CASE_BF16(8) KERNEL_CASE_BF16(9) KERNEL_CASE_BF16(10)
        KERNEL_CASE_BF16(11) KERNEL_CASE_BF16(12)
        default: break;
    }
}

void adaptclip_packed_gemm_bf16(
    const float *x, size_t x_stride, size_t rows, size_t in_features,
    const void *packed, size_t out_features, size_t first_panel, size_t end_panel,
    const float *bias, int accumulate, float *y, size_t y_stride) {
    if (rows == 0 || in_features == 0 || first_panel >= end_panel) return;
    const uint32_t *words = packed;
    size_t pairs = adaptclip_bf16_pair_count(in_features);
    size_t block_rows = m_block_rows(rows, pairs * sizeof(uint32_t), MAX_ROWS, A_BUDGET);
    uint32_t *activations = adaptclip_thread_scratch(block_rows * pairs * sizeof(uint32_t));

    for (size_t m0 = 0; m0 < rows; m0 += block_rows) {
        size_t m = rows - m0 < block_rows ? rows - m0 : block_rows;
        size_t blocks = (m + MAX_ROWS - 1) / MAX_ROWS;
        convert_rows(x + m0 * x_stride, x_stride, m, in_features, activations, pairs);
        for (size_t p = first_panel; p < end_panel; p++) {
            size_t columns = out_features - p * W < W ? out_features - p * W : W;
            const uint32_t *panel = words + p * pairs * W;
            for (size_t k0 = 0; k0 < pairs; k0 += KC_PAIRS) {
                size_t steps = pairs - k0 < KC_PAIRS ? pairs - k0 : KC_PAIRS;
                int first = k0 == 0;
                for (size_t blk = 0; blk < blocks; blk++) {
                    size_t r0 = block_start(m, blocks, blk), r1 = block_start(m, blocks, blk + 1);
                    micro_kernel_rows_bf16(
                        (int)(r1 - r0), steps, activations + r0 * pairs + k0, pairs, panel + k0 * W,
                        y + (m0 + r0) * y_stride + p * W, y_stride, first ? accumulate : 1,
                        first && bias ? bias + p * W : NULL, columns);
                }
            }
        }
    }
}
