// A process-wide pool of spinning worker threads for the parallel sections of a forward pass.
//
// Why not Dispatch: a ViT-B/32 pass has about a hundred parallel sections (GEMMs, layer norms,
// activations, attention), each a fraction of a millisecond. Dispatch parks its workers between
// them, and waking a parked thread takes tens of microseconds, so at batch 1 both cores were
// busy only ~94% of the pass. These workers spin for a short while after each section (then
// park), so the next section starts at once — what ONNX Runtime's and OpenMP's pools do.
//
// One caller at a time: a second concurrent caller is told the pool is busy and runs its
// section another way (the Swift side falls back to Dispatch). Sections may nest the same way.
#ifndef ADAPTCLIP_WORKER_POOL_H
#define ADAPTCLIP_WORKER_POOL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*adaptclip_pool_task)(void *context, size_t index);

/// Runs task(context, i) for every i in 0 ..< count, on the calling thread and up to
/// `threads - 1` pool workers, and returns 0 once all have returned. Returns -1 without running
/// anything when another section holds the pool. Workers are started on first use.
int adaptclip_pool_run(size_t threads, size_t count, adaptclip_pool_task task, void *context);

#ifdef __cplusplus
}
#endif

#endif
