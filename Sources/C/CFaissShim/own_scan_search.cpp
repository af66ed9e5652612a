// Why: FAISS 1.7.3 from Debian computes inner products with scalar code, so a flat search at 100k
// × 512 took 140 ms and the IVF lists' scans dominate an IVF search. The vectors already sit in
// FAISS's own storage (IndexFlat's float codes, IndexIVFFlat's inverted lists, and the IEEE half
// codes of a scalar quantizer of type fp16 that encodes vectors, not residuals), so this file
// reads them in place with CVectorScan's kernels: nothing is copied, the file format, removal and
// every other FAISS path stay as they are.
//
// One query's rows are split over up to `max_scan_threads` threads (at least
// `min_bytes_per_thread` of rows each): a scan is memory-bound and two cores stream it nearly
// twice as fast. Each thread keeps its own top-k; the lists are merged.
#include "own_scan_search.h"

#include "vector_scan.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/invlists/InvertedLists.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace afs {
namespace {

/// Below this many bytes of rows per thread a thread's start-up (~20–50 µs) outweighs the time
/// it saves: one core streams 2 MiB in ~0.2 ms here. (An IVF search at nprobe 16 over 1M × 128
/// float32 rows reads 8 MB: with a threshold of 32k rows it ran on one thread at 0.87 ms.)
constexpr size_t min_bytes_per_thread = size_t(2) << 20;
/// The machine this runs on has 2 cores; more threads per query would only queue.
constexpr unsigned max_scan_threads = 2;

std::atomic<int> selected_kernel{adaptclip_scan_detected_kernel()};

/// One slice of work: rows of float32 or half-precision vectors under inner labels (positions)
/// or explicit labels.
struct Slice {
    const void *rows;
    bool half;
    size_t count;
    const faiss::Index::idx_t *labels;  // nullptr: first_label + r
    int64_t first_label;
};

unsigned threads_for(size_t bytes) {
    unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    size_t wanted = std::max<size_t>(1, bytes / min_bytes_per_thread);
    return static_cast<unsigned>(std::min<size_t>({wanted, hardware, max_scan_threads}));
}

/// Scans `slices` for one query into k best (scores, inner labels), sorted best first.
void scan_slices(const std::vector<Slice> &slices, const float *query, size_t d, int64_t k, float *scores,
                 int64_t *labels) {
    size_t total = 0, bytes = 0;
    for (const auto &s : slices) {
        total += s.count;
        bytes += s.count * d * (s.half ? sizeof(uint16_t) : sizeof(float));
    }
    unsigned threads = threads_for(bytes);
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
                auto *labels = s.labels ? reinterpret_cast<const int64_t *>(s.labels) + r : nullptr;
                auto first = s.first_label + static_cast<int64_t>(r);
                if (s.half)
                    adaptclip_scan_f16(kernel, query, d, static_cast<const uint16_t *>(s.rows) + r * d, hi - lo, labels,
                                       first, &best);
                else
                    adaptclip_scan_f32(kernel, query, d, static_cast<const float *>(s.rows) + r * d, hi - lo, labels,
                                       first, &best);
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

/// Whether a scalar quantizer's codes are the vectors in IEEE half precision (2 bytes a dimension).
bool half_codes(const faiss::ScalarQuantizer &sq) {
    return sq.qtype == faiss::ScalarQuantizer::QT_fp16 && sq.code_size == 2 * sq.d;
}

/// Whether `ivf`'s lists hold rows this file can scan in place; sets `half` for fp16 codes.
bool scannable_lists(const faiss::IndexIVF &ivf, bool &half) {
    if (dynamic_cast<const faiss::IndexIVFFlat *>(&ivf)) {
        half = false;
        return true;
    }
    // By residual, a code is the row minus its list's centroid: not the row itself.
    auto *sq = dynamic_cast<const faiss::IndexIVFScalarQuantizer *>(&ivf);
    half = true;
    return sq != nullptr && !sq->by_residual && half_codes(sq->sq);
}

bool search_with_scan_kernels(const faiss::IndexIDMap2 &map, int64_t nq, const float *queries, int64_t k,
                              float *scores, int64_t *ids) {
    const size_t d = map.d;
    std::vector<Slice> whole;
    if (auto *flat = dynamic_cast<const faiss::IndexFlat *>(map.index)) {
        if (flat->metric_type != faiss::METRIC_INNER_PRODUCT) return false;
        whole.push_back({flat->get_xb(), false, static_cast<size_t>(flat->ntotal), nullptr, 0});
    } else if (auto *sq = dynamic_cast<const faiss::IndexScalarQuantizer *>(map.index)) {
        if (sq->metric_type != faiss::METRIC_INNER_PRODUCT || !half_codes(sq->sq)) return false;
        whole.push_back({sq->codes.data(), true, static_cast<size_t>(sq->ntotal), nullptr, 0});
    }
    if (!whole.empty()) {
        for (int64_t q = 0; q < nq; ++q) scan_slices(whole, queries + q * d, d, k, scores + q * k, ids + q * k);
        translate(map, nq * k, ids);
        return true;
    }
    auto *ivf = dynamic_cast<const faiss::IndexIVF *>(map.index);
    bool half = false;
    if (ivf == nullptr || ivf->metric_type != faiss::METRIC_INNER_PRODUCT || !ivf->is_trained || !scannable_lists(*ivf, half))
        return false;
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
            slices.push_back({ivf->invlists->get_codes(list), half, n, ivf->invlists->get_ids(list), 0});
        }
        scan_slices(slices, query, d, k, scores + q * k, ids + q * k);
    }
    translate(map, nq * k, ids);
    return true;
}

} // namespace afs
