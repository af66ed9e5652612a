// See include/packed_gemm.h for what this is and why.
//
// Blocking, innermost first:
// - a micro-kernel computes up to MAX_ROWS rows × one panel (32 columns, two 16-float vectors)
//   over KC steps of the inner dimension, in 2 × MAX_ROWS vector registers;
// - the KC × 32 slice of the panel (16 KiB) stays in L1 while every row block of the M block
//   runs over it;
// - the M block's activations, packed per row block as [in][rows], stay in L2 (A_BUDGET) while
//   the thread walks its panels, so each weight panel is read from memory once per M block —
//   at batch 1 exactly once per call.
#include "packed_gemm.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define W ADAPTCLIP_PANEL_WIDTH
#define MAX_ROWS 12
// Measured best on Zen 4 among KC 128/256/384 and budgets 512/768 KiB; -D overrides them for
// tuning runs.
#ifndef KC
#define KC 256
#endif
#ifndef A_BUDGET
#define A_BUDGET (512 * 1024)
#endif

int adaptclip_packed_gemm_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

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

// Packed activations, one buffer per thread. The pool's workers live as long as the process,
// but Dispatch threads (the engine's queue, the fallback for a busy pool) come and go, so the
// buffer is also registered with a thread-specific key whose destructor frees it at thread exit.
static _Thread_local float *scratch;
static _Thread_local size_t scratch_capacity;
static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free); }

static float *scratch_of(size_t count) {
    if (count > scratch_capacity) {
        pthread_once(&scratch_key_once, make_scratch_key);
        free(scratch);
        size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
        scratch = aligned_alloc(64, bytes);
        scratch_capacity = scratch ? count : 0;
        pthread_setspecific(scratch_key, scratch);
    }
    return scratch;
}

// rows × 32 outputs over `steps` inner steps. `a` is [steps][rows], `b` is [steps][32].
// First block of the inner dimension: y = (add ? y : 0) + bias + acc; later blocks: y += acc.
__attribute__((target("avx512f"), always_inline)) static inline void micro_kernel(
    const int rows, size_t steps, const float *restrict a, const float *restrict b, float *restrict y,
    size_t y_stride, int add, const float *bias, __mmask16 mask0, __mmask16 mask1) {
    __m512 acc[MAX_ROWS][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    for (size_t k = 0; k < steps; k++) {
        __m512 b0 = _mm512_load_ps(b + k * W);
        __m512 b1 = _mm512_load_ps(b + k * W + 16);
        for (int r = 0; r < rows; r++) {
            __m512 av = _mm512_set1_ps(a[k * rows + r]);
            acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
        }
    }
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

#define KERNEL_CASE(n) \
    case n: micro_kernel(n, steps, a, b, y, y_stride, add, bias, mask0, mask1); break;

__attribute__((target("avx512f"))) static void micro_kernel_rows(
    int rows, size_t steps, const float *a, const float *b, float *y, size_t y_stride, int add,
    const float *bias, __mmask16 mask0, __mmask16 mask1) {
    switch (rows) {
        KERNEL_CASE(1) KERNEL_CASE(2) KERNEL_CASE(3) KERNEL_CASE(4) KERNEL_CASE(5) KERNEL_CASE(6)
        KERNEL_CASE(7) KERNEL_CASE(8) KERNEL_CASE(9) KERNEL_CASE(10) KERNEL_CASE(11) KERNEL_CASE(12)
        default: break;
    }
}

// Rows r0 ..< r1 of block `block` when `count` rows are cut into `blocks` near-equal blocks.
static inline size_t block_start(size_t count, size_t blocks, size_t block) { return count * block / blocks; }

__attribute__((target("avx512f"))) void adaptclip_packed_gemm(
    const float *x, size_t x_stride, size_t rows, size_t in_features,
    const float *packed, size_t out_features, size_t first_panel, size_t end_panel,
    const float *bias, int accumulate, float *y, size_t y_stride) {
    if (rows == 0 || in_features == 0 || first_panel >= end_panel) return;
    // As many rows per M block as the budget allows, then the blocks evened out, so a last
    // block of a few rows does not stream every panel again for little work.
    size_t budget_rows = A_BUDGET / (in_features * sizeof(float)) / MAX_ROWS * MAX_ROWS;
    if (budget_rows < MAX_ROWS) budget_rows = MAX_ROWS;
    size_t m_blocks = (rows + budget_rows - 1) / budget_rows;
    size_t block_rows = (rows + m_blocks - 1) / m_blocks;
    float *activations = scratch_of(block_rows * in_features);
    if (!activations) {
        // At most a few MiB, far less than the caller's own buffers; trap as Swift does when an
        // allocation fails rather than return a product that was never computed.
        fputs("adaptclip_packed_gemm: out of memory for packed activations\n", stderr);
        abort();
    }

    for (size_t m0 = 0; m0 < rows; m0 += block_rows) {
        size_t m = rows - m0 < block_rows ? rows - m0 : block_rows;
        size_t blocks = (m + MAX_ROWS - 1) / MAX_ROWS;
        for (size_t blk = 0; blk < blocks; blk++) {
            size_t r0 = block_start(m, blocks, blk), r1 = block_start(m, blocks, blk + 1), n = r1 - r0;
            float *destination = activations + r0 * in_features;
            for (size_t r = 0; r < n; r++) {
                const float *source = x + (m0 + r0 + r) * x_stride;
                for (size_t k = 0; k < in_features; k++) destination[k * n + r] = source[k];
            }
        }
        for (size_t p = first_panel; p < end_panel; p++) {
            size_t columns = out_features - p * W < W ? out_features - p * W : W;
            __mmask16 mask0 = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
            __mmask16 mask1 = columns <= 16 ? 0 : columns >= 32 ? 0xFFFF : (__mmask16)((1u << (columns - 16)) - 1);
            const float *panel = packed + p * in_features * W;
            for (size_t k0 = 0; k0 < in_features; k0 += KC) {
                size_t steps = in_features - k0 < KC ? in_features - k0 : KC;
                int first = k0 == 0;
                for (size_t blk = 0; blk < blocks; blk++) {
                    size_t r0 = block_start(m, blocks, blk), r1 = block_start(m, blocks, blk + 1);
                    micro_kernel_rows(
                        (int)(r1 - r0), steps, activations + r0 * in_features + k0 * (r1 - r0), panel + k0 * W,
                        y + (m0 + r0) * y_stride + p * W, y_stride, first ? accumulate : 1,
                        first && bias ? bias + p * W : NULL, mask0, mask1);
                }
            }
        }
    }
}
