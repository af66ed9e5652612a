// See include/worker_pool.h for what this is and why.
//
// Claiming work: `cursor` packs (generation << 32 | next index). A worker claims an index only
// with a compare-and-swap that also checks the generation it read the task under, so a worker
// that wakes late can never run a new section's index with the previous section's task.
#include "worker_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

#define MAX_WORKERS 63
// How long an idle worker spins before parking: longer than the gaps inside a forward pass,
// short enough that an idle server does not hold a core.
#define SPIN_NANOSECONDS 200000

static size_t started;                        // workers running; touched only by the holder of `busy`

static atomic_flag busy = ATOMIC_FLAG_INIT;   // held by the section in progress
static _Atomic uint32_t generation;           // bumped to publish a section
static _Atomic uint64_t cursor;               // generation << 32 | next index
static _Atomic size_t finished;               // indices done in this section
static _Atomic size_t sleepers;               // workers parked on `wake`
// The section, published by the store of `generation`. Atomic (relaxed) because a worker that
// wakes late may read them while the next section's caller writes them; the generation check
// in run_indices then keeps it from running anything.
static _Atomic(adaptclip_pool_task) current_task;
static _Atomic(void *) current_context;
static _Atomic size_t current_count;
static _Atomic size_t current_workers;        // workers (beyond the caller) this section may use

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static uint64_t now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// Runs indices of section `gen` until none are left; returns how many this thread ran.
static size_t run_indices(uint32_t gen, adaptclip_pool_task task, void *context, size_t count) {
    size_t ran = 0;
    uint64_t seen = atomic_load_explicit(&cursor, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(seen >> 32) != gen || (size_t)(uint32_t)seen >= count) break;
        if (!atomic_compare_exchange_weak_explicit(&cursor, &seen, seen + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        task(context, (size_t)(uint32_t)seen);
        ran++;
        seen = atomic_load_explicit(&cursor, memory_order_acquire);
    }
    return ran;
}

static void *worker_main(void *argument) {
    size_t id = (size_t)(uintptr_t)argument;
    uint32_t seen = atomic_load_explicit(&generation, memory_order_acquire);
    for (;;) {
        // Spin, then park, until a new section is published.
        uint64_t deadline = now_nanoseconds() + SPIN_NANOSECONDS;
        uint32_t gen;
        unsigned spins = 0;
        while ((gen = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
            cpu_relax();
            if (++spins % 256 == 0 && now_nanoseconds() > deadline) {
                pthread_mutex_lock(&park_lock);
                atomic_fetch_add(&sleepers, 1);
                while ((gen = atomic_load(&generation)) == seen) pthread_cond_wait(&wake, &park_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&park_lock);
                break;
            }
        }
        seen = gen;
        if (id >= atomic_load_explicit(&current_workers, memory_order_relaxed)) continue;  // fewer threads asked
        size_t ran = run_indices(
            gen, atomic_load_explicit(&current_task, memory_order_relaxed),
            atomic_load_explicit(&current_context, memory_order_relaxed),
            atomic_load_explicit(&current_count, memory_order_relaxed));
        if (ran) atomic_fetch_add_explicit(&finished, ran, memory_order_release);
    }
    return NULL;
}

// Starts workers up to `count`; returns how many are running. Called only by the holder of
// `busy`, whose acquire and release order it against every other caller: no lock of its own.
static size_t ensure_workers(size_t count) {
    if (count > MAX_WORKERS) count = MAX_WORKERS;
    while (started < count) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, worker_main, (void *)(uintptr_t)started) != 0) break;
        pthread_detach(thread);
        started++;
    }
    return started;
}

int adaptclip_pool_run(size_t threads, size_t count, adaptclip_pool_task task, void *context) {
    if (count == 0) return 0;
    if (count > UINT32_MAX || atomic_flag_test_and_set_explicit(&busy, memory_order_acquire)) return -1;
    size_t workers = ensure_workers(threads > 1 ? threads - 1 : 0);
    if (workers > threads - 1) workers = threads > 1 ? threads - 1 : 0;

    atomic_store_explicit(&current_task, task, memory_order_relaxed);
    atomic_store_explicit(&current_context, context, memory_order_relaxed);
    atomic_store_explicit(&current_count, count, memory_order_relaxed);
    atomic_store_explicit(&current_workers, workers, memory_order_relaxed);
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    uint32_t gen = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
    atomic_store_explicit(&cursor, (uint64_t)gen << 32, memory_order_relaxed);
    // Sequentially consistent, against the parking check in worker_main: either a worker sees
    // the new generation before it sleeps, or this sees it counted in `sleepers` and wakes it.
    atomic_store(&generation, gen);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&park_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&park_lock);
    }

    size_t ran = run_indices(gen, task, context, count);
    if (ran) atomic_fetch_add_explicit(&finished, ran, memory_order_release);
    while (atomic_load_explicit(&finished, memory_order_acquire) < count) cpu_relax();

    atomic_flag_clear_explicit(&busy, memory_order_release);
    return 0;
}
