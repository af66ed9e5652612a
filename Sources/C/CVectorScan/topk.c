// The running top-k of vector_scan.h: a binary min-heap ordered by (score, then later label
// first), so the root is the pair to drop next.
#include "vector_scan.h"

#include <math.h>

// Whether pair a is worse than pair b: a lower score, or an equal score pushed later (a higher
// label in row order), so that ties keep the earlier row.
static int worse(float score_a, int64_t label_a, float score_b, int64_t label_b) {
    return score_a < score_b || (score_a == score_b && label_a > label_b);
}

static void swap_slots(adaptclip_topk *best, size_t i, size_t j) {
    float s = best->scores[i];
    best->scores[i] = best->scores[j];
    best->scores[j] = s;
    int64_t l = best->labels[i];
    best->labels[i] = best->labels[j];
    best->labels[j] = l;
}

static void sift_down(adaptclip_topk *best, size_t i, size_t count) {
    for (;;) {
        size_t left = 2 * i + 1, right = left + 1, low = i;
        if (left < count && worse(best->scores[left], best->labels[left], best->scores[low], best->labels[low])) low = left;
        if (right < count && worse(best->scores[right], best->labels[right], best->scores[low], best->labels[low])) low = right;
        if (low == i) return;
        swap_slots(best, i, low);
        i = low;
    }
}

void adaptclip_topk_init(adaptclip_topk *best, float *scores, int64_t *labels, size_t k) {
    best->scores = scores;
    best->labels = labels;
    best->capacity = k;
    best->count = 0;
}

void adaptclip_topk_push(adaptclip_topk *best, float score, int64_t label) {
    if (best->capacity == 0) return;
    if (best->count < best->capacity) {
        size_t i = best->count++;
        best->scores[i] = score;
        best->labels[i] = label;
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (!worse(best->scores[i], best->labels[i], best->scores[parent], best->labels[parent])) break;
            swap_slots(best, i, parent);
            i = parent;
        }
        return;
    }
    if (!worse(best->scores[0], best->labels[0], score, label)) return;
    best->scores[0] = score;
    best->labels[0] = label;
    sift_down(best, 0, best->count);
}

void adaptclip_topk_finish(adaptclip_topk *best) {
    // Heap sort: repeatedly move the worst pair to the end, leaving the best first.
    for (size_t end = best->count; end > 1; end--) {
        swap_slots(best, 0, end - 1);
        sift_down(best, 0, end - 1);
    }
    for (size_t i = best->count; i < best->capacity; i++) {
        best->scores[i] = -INFINITY;
        best->labels[i] = -1;
    }
}
