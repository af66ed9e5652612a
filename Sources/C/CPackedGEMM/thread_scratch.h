// Per-thread scratch for the packed kernels' activations (private to CPackedGEMM).
#ifndef ADAPTCLIP_THREAD_SCRATCH_H
#define ADAPTCLIP_THREAD_SCRATCH_H

#include <stddef.h>

/// At least `bytes` bytes, 64-byte aligned, owned by the calling thread: valid until this
/// thread asks again or exits (then it is freed). Contents are left from earlier use. Aborts
/// when memory runs out, as Swift traps, rather than let a product go uncomputed.
void *adaptclip_thread_scratch(size_t bytes);

#endif
