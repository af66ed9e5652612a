// What the fp32 and bf16 packed kernels share (private to CPackedGEMM): the cut of a call's rows
// into M blocks and row blocks, and the AVX-512 micro-kernels' column masks and final stores —
// both keep rows × 32 fp32 sums in registers and finish them the same way, so the two kernels
// add bias and residual in one order.
#ifndef ADAPTCLIP_KERNEL_BLOCKING_H
#define ADAPTCLIP_KERNEL_BLOCKING_H

#include <immintrin.h>
#include <stddef.h>

#define MAX_ROWS 12  // AVX-512 row block: 24 accumulators of the 32 zmm registers

// Lanes of the panel's two 16-column halves that hold one of `columns` real output columns.
static inline void column_masks(size_t columns, __mmask16 *mask0, __mmask16 *mask1) {
    *mask0 = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
    *mask1 = columns <= 16 ? 0 : columns >= 32 ? 0xFFFF : (__mmask16)((1u << (columns - 16)) - 1);
}

// y[r] = acc[r] + bias, plus y[r] itself when `add`, for rows 0 ..< rows of a block.
__attribute__((target("avx512f"), always_inline)) static inline void store_rows_512(
    const int rows, __m512 acc[][2], float *restrict y, size_t y_stride, int add, const float *bias, __mmask16 mask0,
    __mmask16 mask1) {
    __m512 bias0 = bias ? _mm512_maskz_loadu_ps(mask0, bias) : _mm512_setzero_ps();
    __m512 bias1 = bias ? _mm512_maskz_loadu_ps(mask1, bias + 16) : _mm512_setzero_ps();
    for (int r = 0; r < rows; r++) {
        float *out = y + r * y_stride;
        __m512 v0 = _mm512_add_ps(acc[r][0], bias0);
        __m512 v1 = _mm512_add_ps(acc[r][1], bias1);
        if (add) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(mask0, out));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(mask1, out + 16));
        }
        _mm512_mask_storeu_ps(out, mask0, v0);
        _mm512_mask_storeu_ps(out + 16, mask1, v1);
    }
}

// Rows r0 ..< r1 of block `block` when `count` rows are cut into `blocks` near-equal blocks.
static inline size_t block_start(size_t count, size_t blocks, size_t block) { return count * block / blocks; }

// Rows per M block: as many whole row blocks of `max_rows` as `budget` bytes of activations
// (`row_bytes` a row) hold, then the blocks evened out, so a last block of a few rows does not
// stream every panel again for little work.
static inline size_t m_block_rows(size_t rows, size_t row_bytes, size_t max_rows, size_t budget) {
    size_t budget_rows = budget / row_bytes / max_rows * max_rows;
    if (budget_rows < max_rows) budget_rows = max_rows;
    size_t m_blocks = (rows + budget_rows - 1) / budget_rows;
    return (rows + m_blocks - 1) / m_blocks;
}

#endif
