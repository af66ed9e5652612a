// Why: FAISS 1.7.3 from Debian computes inner products with scalar code, so a flat search at 100k
// × 512 took 140 ms and the IVF lists' scans dominate an IVF search. The vectors already sit in
// FAISS's own storage (IndexFlat's float codes, IndexIVFFlat's inverted lists), so this file
// reads them in place with CVectorScan's kernels: nothing is copied, the file format, removal and
// every other FAISS path stay as they are.
//
// One query's rows are split over up to `max_scan_threads` threads (at least
// `min_rows_per_thread` rows each): a single query at 1M rows is memory-bound and two cores
// stream it nearly twice as fast. Each thread keeps its own top-k; the lists are merged.
#include "own_scan_search.h"

#include "vector_scan.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/invlists/InvertedLists.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace afs {
namespace {

/// Below this many rows per thread a thread's start-up (~20 µs) outweighs the rows it scans.
constexpr size_t min_rows_per_thread = 32768;
/// The machine this runs on has 2 cores; more threads per query would only queue.
constexpr unsigned max_scan_threads = 2;

std::atomic<int> selected_kernel{adaptclip_scan_detected_kernel()};

/// One slice of work: rows of float32 vectors under inner labels (positions) or explicit labels.
struct Slice {
    const float *rows;
    size_t count;
    const faiss::Index::idx_t *labels;  // nullptr: first_label + r
    int64_t first_label;
};

unsigned threads_for(size_t rows) {
    unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    size_t wanted = std::max<size_t>(1, rows / min_rows_per_thread);
    return static_cast<unsigned>(std::min<size_t>({wanted, hardware, max_scan_threads}));
}

/// Scans `slices` for one query into k best (scores, inner labels), sorted best first.
void scan_slices(const std::vector<Slice> &slices, const float *query, size_t d, int64_t k, float *scores,
                 int64_t *labels) {
    size_t total = 0;
    for (const auto &s : slices) total += s.count;
    unsigned threads = threads_for(total);
    int kernel = selected_kernel.load(std::memory_order_relaxed);
    std::vector<float> part_scores(threads * k);
    std::vector<int64_t> part_labels(threads * k);
    std::vector<adaptclip_topk> parts(threads);
    // Thread t takes the rows [t·total/T, (t+1)·total/T) of the concatenated slices.
    auto run = [&](unsigned t) {
        adaptclip_topk &best = parts[t];
        adaptclip_topk_init(&best, part_scores.data() + t * k, part_labels.data() + t * k, k);
        size_t begin = total * t / threads, end = total * (t + 1) / threads, offset = 0;
        for (const auto &s : slices) {
            size_t lo = std::max(begin, offset), hi = std::min(end, offset + s.count);
            if (lo < hi) {
                size_t r = lo - offset;
                static_assert(sizeof(faiss::Index::idx_t) == sizeof(int64_t), "FAISS ids must be 64-bit");
                adaptclip_scan_f32(kernel, query, d, s.rows + r * d, hi - lo,
                                   s.labels ? reinterpret_cast<const int64_t *>(s.labels) + r : nullptr,
                                   s.first_label + static_cast<int64_t>(r), &best);
            }
            offset += s.count;
        }
    };
    std::vector<std::thread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back(run, t);
    run(0);
    for (auto &w : workers) w.join();
    adaptclip_topk merged;
    adaptclip_topk_init(&merged, scores, labels, k);
    // Thread order is row order, so pushing parts in order keeps "earlier row wins" on ties.
    for (const auto &p : parts)
        for (size_t j = 0; j < p.count; ++j) adaptclip_topk_push(&merged, p.scores[j], p.labels[j]);
    adaptclip_topk_finish(&merged);
}

void translate(const faiss::IndexIDMap2 &map, int64_t count, int64_t *ids) {
    for (int64_t j = 0; j < count; ++j)
        if (ids[j] >= 0) ids[j] = map.id_map[ids[j]];
}

/// The nprobe lists nearest to `query`, by the same kernels over the quantizer's centroids.
std::vector<int64_t> probed_lists(const faiss::IndexIVF &ivf, const float *query) {
    int64_t nprobe = std::min<int64_t>(ivf.nprobe, ivf.nlist);
    std::vector<float> s(nprobe);
    std::vector<int64_t> lists(nprobe);
    if (auto *centroids = dynamic_cast<const faiss::IndexFlat *>(ivf.quantizer);
        centroids && centroids->metric_type == faiss::METRIC_INNER_PRODUCT) {
        adaptclip_topk best;
        adaptclip_topk_init(&best, s.data(), lists.data(), nprobe);
        adaptclip_scan_f32(selected_kernel.load(std::memory_order_relaxed), query, ivf.d, centroids->get_xb(),
                           centroids->ntotal, nullptr, 0, &best);
        adaptclip_topk_finish(&best);
    } else {
        ivf.quantizer->search(1, query, nprobe, s.data(), reinterpret_cast<faiss::Index::idx_t *>(lists.data()));
    }
    return lists;
}

} // namespace

int scan_kernel() { return selected_kernel.load(); }

void set_scan_kernel(int kernel) {
    selected_kernel.store(std::clamp(kernel, ADAPTCLIP_SCAN_SCALAR, adaptclip_scan_detected_kernel()));
}

bool search_with_scan_kernels(const faiss::IndexIDMap2 &map, int64_t nq, const float *queries, int64_t k,
                              float *scores, int64_t *ids) {
    const size_t d = map.d;
    if (auto *flat = dynamic_cast<const faiss::IndexFlat *>(map.index)) {
        if (flat->metric_type != faiss::METRIC_INNER_PRODUCT) return false;
        std::vector<Slice> slices{{flat->get_xb(), static_cast<size_t>(flat->ntotal), nullptr, 0}};
        for (int64_t q = 0; q < nq; ++q) scan_slices(slices, queries + q * d, d, k, scores + q * k, ids + q * k);
        translate(map, nq * k, ids);
        return true;
    }
    auto *ivf = dynamic_cast<const faiss::IndexIVFFlat *>(map.index);
    if (ivf == nullptr || ivf->metric_type != faiss::METRIC_INNER_PRODUCT || !ivf->is_trained) return false;
    // In-memory lists hand out pointers into their storage; other kinds (on-disk) go to FAISS.
    if (dynamic_cast<const faiss::ArrayInvertedLists *>(ivf->invlists) == nullptr) return false;
    for (int64_t q = 0; q < nq; ++q) {
        const float *query = queries + q * d;
        std::vector<Slice> slices;
        for (int64_t list : probed_lists(*ivf, query)) {
            if (list < 0) continue;
            size_t n = ivf->invlists->list_size(list);
            if (n == 0) continue;
            // ArrayInvertedLists: pointers into its storage, valid while the caller's read lock
            // holds off writers; its release_codes/ids are no-ops.
            slices.push_back({reinterpret_cast<const float *>(ivf->invlists->get_codes(list)), n,
                              ivf->invlists->get_ids(list), 0});
        }
        scan_slices(slices, query, d, k, scores + q * k, ids + q * k);
    }
    translate(map, nq * k, ids);
    return true;
}

} // namespace afs
