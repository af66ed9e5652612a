// Portable binary16 conversions: what the scalar kernel reads with, and what callers store with.
#include "vector_scan.h"

#include <string.h>

uint16_t adaptclip_f16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000u;
    uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) return (uint16_t)(sign | 0x7E00u);  // NaN, quieted
    if (magnitude >= 0x47800000u) return (uint16_t)(sign | 0x7C00u);  // ≥ 65536 (after rounding: overflow) → ∞
    if (magnitude < 0x38800000u) {
        // Subnormal half (or zero): shift the significand with its implicit bit into place,
        // rounding to nearest even on the bits shifted out.
        if (magnitude < 0x33000000u) return (uint16_t)sign;  // below half the smallest subnormal
        uint32_t exponent = magnitude >> 23;
        uint32_t significand = (magnitude & 0x7FFFFFu) | 0x800000u;
        uint32_t shift = 126 - exponent;  // 14 + (112 - exponent)
        uint32_t half = significand >> shift;
        uint32_t rest = significand & ((1u << shift) - 1);
        uint32_t midpoint = 1u << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    // Normal: rebias the exponent, round the 13 dropped significand bits to nearest even; a carry
    // out of the significand correctly bumps the exponent (up to infinity).
    uint32_t rebased = magnitude - 0x38000000u;
    uint32_t half = rebased >> 13;
    uint32_t rest = rebased & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;
    return (uint16_t)(sign | half);
}

float adaptclip_float_from_f16(uint16_t half) {
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1Fu;
    uint32_t significand = half & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1Fu) {
        bits = sign | 0x7F800000u | (significand << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (significand << 13);
    } else if (significand == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalise it.
        int shift = 0;
        while (!(significand & 0x400u)) {
            significand <<= 1;
            shift++;
        }
        bits = sign | ((uint32_t)(113 - shift) << 23) | ((significand & 0x3FFu) << 13);
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}
