// See thread_scratch.h.
//
// One buffer per thread, shared by the fp32 and bf16 kernels (a thread runs one product at a
// time). The pool's workers live as long as the process, but Dispatch threads (the engine's
// queue, the fallback for a busy pool) come and go, so the buffer is also registered with a
// thread-specific key whose destructor frees it at thread exit.
#include "thread_scratch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local void *scratch;
static _Thread_local size_t scratch_capacity;
static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free); }

void *adaptclip_thread_scratch(size_t bytes) {
    if (bytes > scratch_capacity) {
        pthread_once(&scratch_key_once, make_scratch_key);
        free(scratch);
        size_t rounded = (bytes + 63) / 64 * 64;
        scratch = aligned_alloc(64, rounded);
        scratch_capacity = scratch ? rounded : 0;
        pthread_setspecific(scratch_key, scratch);
        if (!scratch) {
            // At most a few MiB, far less than the caller's own buffers.
            fputs("adaptclip packed GEMM: out of memory for packed activations\n", stderr);
            abort();
        }
    }
    return scratch;
}
