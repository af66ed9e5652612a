// The C API of faiss_shim.h over FAISS 1.7.3's C++ classes. Every entry point runs its body inside
// `guarded`, which turns any C++ exception into a status and a message: nothing C++ crosses.
#include "faiss_shim.h"
#include "own_scan_search.h"

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#define AFS_STR2(x) #x
#define AFS_STR(x) AFS_STR2(x)

using faiss_id = faiss::Index::idx_t;
static_assert(sizeof(faiss_id) == sizeof(int64_t), "FAISS ids must be 64-bit");

struct afs_index {
    std::unique_ptr<faiss::IndexIDMap2> map;
    /// Probed once when the handle is made (HNSW cannot remove); see probe_removal.
    bool supports_removal = true;
};

namespace {

/// A refusal the shim itself decides (bad argument, unsupported operation, bad file).
struct ShimError {
    int status;
    std::string message;
};

void write_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t n = std::min(message.size(), capacity - 1);
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

template <typename Body>
int guarded(char *error, size_t capacity, Body body) {
    try {
        body();
        return AFS_OK;
    } catch (const ShimError &e) {
        write_error(error, capacity, e.message);
        return e.status;
    } catch (const faiss::FaissException &e) {
        write_error(error, capacity, e.what());
        return AFS_FAISS_ERROR;
    } catch (const std::bad_alloc &) {
        write_error(error, capacity, "out of memory");
        return AFS_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        write_error(error, capacity, e.what());
        return AFS_UNKNOWN_ERROR;
    } catch (...) {
        write_error(error, capacity, "unknown C++ exception");
        return AFS_UNKNOWN_ERROR;
    }
}

[[noreturn]] void refuse(int status, std::string message) { throw ShimError{status, std::move(message)}; }

void require(bool condition, const char *message) {
    if (!condition) refuse(AFS_INVALID_ARGUMENT, message);
}

const faiss::IndexIDMap2 &checked(const afs_index *index) {
    require(index != nullptr && index->map != nullptr, "index handle is NULL");
    return *index->map;
}

faiss::IndexIDMap2 &checked_mutable(afs_index *index) {
    require(index != nullptr && index->map != nullptr, "index handle is NULL");
    return *index->map;
}

void require_dimension(const faiss::Index &index, int32_t dimension) {
    if (dimension != index.d) {
        refuse(AFS_INVALID_ARGUMENT, "vectors have dimension " + std::to_string(dimension) +
                                         " but the index has dimension " + std::to_string(index.d));
    }
}

void require_vectors(int64_t n, const float *vectors) {
    require(n >= 0, "vector count is negative");
    require(n == 0 || vectors != nullptr, "vectors pointer is NULL");
}

/// The index that does the work, seen through pre-transforms (PCA, OPQ, ...).
faiss::Index *innermost(faiss::Index *index) {
    while (auto *pre = dynamic_cast<faiss::IndexPreTransform *>(index)) index = pre->index;
    return index;
}

/// Whether the inner index implements remove_ids. FAISS has no query for it, and IndexHNSW.h cannot be
/// included here (it needs OpenMP's omp.h, which the Swift toolchain's clang does not ship), so
/// the shim asks FAISS to remove nothing: types without removal throw before changing anything.
///
/// IVF is reported as unable to remove although FAISS's remove_ids runs: IndexIDMap2 compacts its
/// id map after a removal ("adapted to IndexFlat"), while the inverted lists keep the old internal
/// ids, so every hit after the removed position would be reported under its neighbour's id. The
/// store keeps tombstones for IVF, as for HNSW.
bool probe_removal(faiss::IndexIDMap2 &map) {
    if (dynamic_cast<faiss::IndexIVF *>(innermost(map.index)) != nullptr) return false;
    try {
        faiss::IDSelectorBatch nothing(0, nullptr);
        map.index->remove_ids(nothing);
        return true;
    } catch (const faiss::FaissException &) {
        return false;
    }
}

afs_index *wrap(faiss::Index *loaded) {
    auto *map = dynamic_cast<faiss::IndexIDMap2 *>(loaded);
    if (map == nullptr) {
        delete loaded;
        refuse(AFS_IO_ERROR, "the data does not hold an IndexIDMap2 written by this shim");
    }
    auto *handle = new afs_index;
    handle->map.reset(map);
    handle->supports_removal = probe_removal(*map);
    return handle;
}

/// One query's best-k collector (largest inner product first).
struct TopK {
    std::vector<std::pair<float, faiss_id>> hits;
    void write(int64_t k, float *scores, int64_t *ids) {
        auto count = std::min<int64_t>(k, hits.size());
        std::partial_sort(hits.begin(), hits.begin() + count, hits.end(),
                          [](const auto &a, const auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        for (int64_t j = 0; j < k; ++j) {
            scores[j] = j < count ? hits[j].first : -std::numeric_limits<float>::infinity();
            ids[j] = j < count ? hits[j].second : -1;
        }
    }
};

void fill_empty(int64_t count, float *scores, int64_t *ids) {
    for (int64_t j = 0; j < count; ++j) {
        scores[j] = -std::numeric_limits<float>::infinity();
        ids[j] = -1;
    }
}

/// Maps labels of the inner index (positions) back to the caller's ids.
void translate_labels(const faiss::IndexIDMap2 &map, int64_t count, int64_t *ids) {
    for (int64_t j = 0; j < count; ++j) {
        if (ids[j] >= 0) ids[j] = map.id_map[ids[j]];
    }
}

/// HNSW: exact inner products over the allowed vectors (reconstructed from HNSW's storage).
void search_allowed_exhaustively(const faiss::IndexIDMap2 &map, const std::vector<faiss_id> &internal,
                                 int64_t nq, const float *queries, int64_t k, float *scores, int64_t *ids) {
    const int d = map.d;
    std::vector<float> vectors(internal.size() * d);
    for (size_t i = 0; i < internal.size(); ++i) map.index->reconstruct(internal[i], vectors.data() + i * d);
    for (int64_t q = 0; q < nq; ++q) {
        const float *query = queries + q * d;
        TopK top;
        top.hits.reserve(internal.size());
        for (size_t i = 0; i < internal.size(); ++i) {
            const float *v = vectors.data() + i * d;
            float dot = 0;
            for (int c = 0; c < d; ++c) dot += query[c] * v[c];
            top.hits.emplace_back(dot, map.id_map[internal[i]]);
        }
        top.write(k, scores + q * k, ids + q * k);
    }
}

/// Any other type: ask for more than k until k allowed hits are found or the whole index is seen.
void search_by_overfetching(const faiss::IndexIDMap2 &map, const std::unordered_set<faiss_id> &allowed,
                            int64_t nq, const float *queries, int64_t k, float *scores, int64_t *ids) {
    const int d = map.d;
    for (int64_t q = 0; q < nq; ++q) {
        int64_t fetch = std::min<int64_t>(std::max<int64_t>(k * 4, 64), map.ntotal);
        while (true) {
            std::vector<float> s(fetch);
            std::vector<faiss_id> l(fetch);
            map.search(1, queries + q * d, fetch, s.data(), l.data());
            TopK top;
            for (int64_t j = 0; j < fetch; ++j) {
                if (l[j] >= 0 && allowed.count(l[j])) top.hits.emplace_back(s[j], l[j]);
            }
            if ((int64_t)top.hits.size() >= k || fetch >= map.ntotal) {
                top.write(k, scores + q * k, ids + q * k);
                break;
            }
            fetch = std::min<int64_t>(fetch * 4, map.ntotal);
        }
    }
}

void search_filtered(const faiss::IndexIDMap2 &map, int64_t nq, const float *queries, int64_t k,
                     const int64_t *allowed_ids, int64_t allowed_count, float *scores, int64_t *ids) {
    std::vector<faiss_id> internal;
    internal.reserve(allowed_count);
    for (int64_t i = 0; i < allowed_count; ++i) {
        auto found = map.rev_map.find(allowed_ids[i]);
        if (found != map.rev_map.end()) internal.push_back(found->second);
    }
    std::sort(internal.begin(), internal.end());
    internal.erase(std::unique(internal.begin(), internal.end()), internal.end());
    if (internal.empty()) {
        fill_empty(nq * k, scores, ids);
        return;
    }
    if (auto *ivf = dynamic_cast<faiss::IndexIVF *>(map.index)) {
        faiss::IDSelectorBatch selector(internal.size(), internal.data());
        faiss::SearchParametersIVF params;
        params.sel = &selector;
        params.nprobe = ivf->nprobe;
        params.max_codes = ivf->max_codes;
        map.index->search(nq, queries, k, scores, ids, &params);
        translate_labels(map, nq * k, ids);
        return;
    }
    if (dynamic_cast<faiss::IndexIVF *>(innermost(map.index)) == nullptr) {
        // Flat-code indexes (Flat, SQ, PQ ...) take a selector in plain SearchParameters.
        try {
            faiss::IDSelectorBatch selector(internal.size(), internal.data());
            faiss::SearchParameters params;
            params.sel = &selector;
            map.index->search(nq, queries, k, scores, ids, &params);
            translate_labels(map, nq * k, ids);
            return;
        } catch (const faiss::FaissException &) {
            // This type refuses plain search parameters (HNSW does): try the exact scan next.
        }
        // HNSW's own filtered search loses hits when the filter is selective; an exact scan over
        // the allowed vectors costs at most one flat scan and is exact.
        try {
            search_allowed_exhaustively(map, internal, nq, queries, k, scores, ids);
            return;
        } catch (const faiss::FaissException &) {
            // This type cannot reconstruct its vectors: over-fetch below.
        }
    }
    std::unordered_set<faiss_id> allowed(allowed_ids, allowed_ids + allowed_count);
    search_by_overfetching(map, allowed, nq, queries, k, scores, ids);
}

} // namespace

extern "C" const char *afs_version(void) {
    return AFS_STR(FAISS_VERSION_MAJOR) "." AFS_STR(FAISS_VERSION_MINOR) "." AFS_STR(FAISS_VERSION_PATCH);
}

extern "C" int afs_index_new(const char *factory, int32_t dimension, afs_index **out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        require(out != nullptr, "out pointer is NULL");
        *out = nullptr;
        require(factory != nullptr, "factory string is NULL");
        require(dimension > 0, "dimension must be positive");
        std::string description(factory);
        require(description.rfind("IDMap", 0) != 0, "give the factory string without IDMap: the shim adds IDMap2 itself");
        std::unique_ptr<faiss::Index> inner(faiss::index_factory(dimension, factory, faiss::METRIC_INNER_PRODUCT));
        if (auto *ivfpq = dynamic_cast<faiss::IndexIVFPQ *>(innermost(inner.get()))) {
            // Polysemous training only serves Hamming-threshold search, which this API never
            // runs, and it dominates IVF-PQ training time (minutes at d = 512).
            ivfpq->do_polysemous_training = false;
        }
        if (auto *ivfsq = dynamic_cast<faiss::IndexIVFScalarQuantizer *>(innermost(inner.get()));
            ivfsq && ivfsq->sq.qtype == faiss::ScalarQuantizer::QT_fp16) {
            // Half precision keeps unit vectors' inner products to ~1e-3 without the residual
            // trick, and without it a code is the vector itself, which own_scan_search.cpp scans
            // in place with the SIMD kernels (by residual, FAISS 1.7.3's scalar code decodes
            // every row).
            ivfsq->by_residual = false;
        }
        auto map = std::make_unique<faiss::IndexIDMap2>(inner.get());
        map->own_fields = true;
        inner.release();
        auto *handle = new afs_index;
        handle->supports_removal = probe_removal(*map);
        handle->map = std::move(map);
        *out = handle;
    });
}

extern "C" void afs_index_free(afs_index *index) {
    try {
        delete index;
    } catch (...) {
        // A destructor that throws has nowhere to report to; the memory is lost, the process lives.
    }
}

extern "C" int afs_index_train(afs_index *index, int64_t n, int32_t dimension, const float *vectors, char *error,
                               size_t capacity) {
    return guarded(error, capacity, [&] {
        auto &map = checked_mutable(index);
        require_dimension(map, dimension);
        require_vectors(n, vectors);
        if (map.is_trained) return;
        require(n > 0, "training needs at least one vector");
        map.train(n, vectors);
    });
}

extern "C" int afs_index_is_trained(const afs_index *index, int *out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(out != nullptr, "out pointer is NULL");
        *out = map.is_trained ? 1 : 0;
    });
}

extern "C" int afs_index_add_with_ids(afs_index *index, int64_t n, int32_t dimension, const float *vectors,
                                      const int64_t *ids, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        auto &map = checked_mutable(index);
        require_dimension(map, dimension);
        require_vectors(n, vectors);
        require(n == 0 || ids != nullptr, "ids pointer is NULL");
        if (n == 0) return;
        if (!map.is_trained) refuse(AFS_INVALID_ARGUMENT, "the index must be trained before vectors are added");
        map.add_with_ids(n, vectors, reinterpret_cast<const faiss_id *>(ids));
    });
}

extern "C" int afs_index_search(const afs_index *index, int64_t nq, int32_t dimension, const float *queries, int64_t k,
                                const int64_t *allowed_ids, int64_t allowed_count, float *scores, int64_t *ids,
                                char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require_dimension(map, dimension);
        require_vectors(nq, queries);
        if (k <= 0) refuse(AFS_INVALID_ARGUMENT, "k must be positive, got " + std::to_string(k));
        require(nq == 0 || k <= std::numeric_limits<int64_t>::max() / nq, "nq * k overflows");
        require(nq == 0 || (scores != nullptr && ids != nullptr), "result buffers are NULL");
        require(allowed_count <= 0 || allowed_ids != nullptr, "allowed_ids is NULL but allowed_count > 0");
        if (nq == 0) return;
        if (allowed_count < 0) {
            if (!map.is_trained) refuse(AFS_INVALID_ARGUMENT, "the index is not trained");
            if (!afs::search_with_scan_kernels(map, nq, queries, k, scores, ids))
                map.search(nq, queries, k, scores, reinterpret_cast<faiss_id *>(ids));
            return;
        }
        search_filtered(map, nq, queries, k, allowed_ids, allowed_count, scores, ids);
    });
}

extern "C" int afs_index_supports_removal(const afs_index *index, int *out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        checked(index);
        require(out != nullptr, "out pointer is NULL");
        *out = index->supports_removal ? 1 : 0;
    });
}

extern "C" int afs_index_remove_ids(afs_index *index, int64_t n, const int64_t *ids, int64_t *removed, char *error,
                                    size_t capacity) {
    return guarded(error, capacity, [&] {
        auto &map = checked_mutable(index);
        require(n >= 0, "id count is negative");
        require(n == 0 || ids != nullptr, "ids pointer is NULL");
        if (!index->supports_removal) {
            refuse(AFS_UNSUPPORTED, "this index type (e.g. HNSW) cannot remove vectors; rebuild the index instead");
        }
        size_t count = 0;
        if (n > 0) {
            faiss::IDSelectorBatch selector(n, reinterpret_cast<const faiss_id *>(ids));
            count = map.remove_ids(selector);
        }
        if (removed != nullptr) *removed = static_cast<int64_t>(count);
    });
}

extern "C" int afs_index_ntotal(const afs_index *index, int64_t *out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(out != nullptr, "out pointer is NULL");
        *out = map.ntotal;
    });
}

extern "C" int afs_index_dimension(const afs_index *index, int32_t *out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(out != nullptr, "out pointer is NULL");
        *out = map.d;
    });
}

extern "C" int afs_index_copy_ids(const afs_index *index, int64_t *ids, int64_t id_capacity, int64_t *count,
                                  char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(count != nullptr, "count pointer is NULL");
        *count = map.ntotal;
        if (id_capacity < map.ntotal) {
            refuse(AFS_INVALID_ARGUMENT, "id buffer holds " + std::to_string(id_capacity) + " ids but the index has " +
                                             std::to_string(map.ntotal));
        }
        require(map.ntotal == 0 || ids != nullptr, "ids pointer is NULL");
        std::copy(map.id_map.begin(), map.id_map.end(), ids);
    });
}

extern "C" int afs_index_set_parameter(afs_index *index, const char *name, double value, char *error,
                                       size_t capacity) {
    return guarded(error, capacity, [&] {
        auto &map = checked_mutable(index);
        require(name != nullptr, "parameter name is NULL");
        std::string parameter(name);
        if (!(value >= 1 && value <= 1e9 && std::floor(value) == value)) {
            refuse(AFS_INVALID_ARGUMENT, parameter + " must be a positive integer");
        }
        faiss::Index *inner = innermost(map.index);
        if (parameter == "nprobe") {
            auto *ivf = dynamic_cast<faiss::IndexIVF *>(inner);
            if (ivf == nullptr) refuse(AFS_INVALID_ARGUMENT, "nprobe applies to IVF indexes only");
            ivf->nprobe = static_cast<size_t>(value);
        } else if (parameter == "efSearch") {
            // ParameterSpace reaches IndexHNSW without this file including IndexHNSW.h (see probe_removal).
            try {
                faiss::ParameterSpace().set_index_parameter(inner, "efSearch", value);
            } catch (const faiss::FaissException &) {
                refuse(AFS_INVALID_ARGUMENT, "efSearch applies to HNSW indexes only");
            }
        } else {
            refuse(AFS_INVALID_ARGUMENT, "unknown parameter '" + parameter + "' (known: nprobe, efSearch)");
        }
    });
}

extern "C" int afs_index_write_file(const afs_index *index, const char *path, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(path != nullptr, "path is NULL");
        try {
            faiss::write_index(&map, path);
        } catch (const faiss::FaissException &e) {
            refuse(AFS_IO_ERROR, e.what());
        }
    });
}

extern "C" int afs_index_read_file(const char *path, afs_index **out, char *error, size_t capacity) {
    return guarded(error, capacity, [&] {
        require(out != nullptr, "out pointer is NULL");
        *out = nullptr;
        require(path != nullptr, "path is NULL");
        faiss::Index *loaded = nullptr;
        try {
            loaded = faiss::read_index(path);
        } catch (const faiss::FaissException &e) {
            refuse(AFS_IO_ERROR, e.what());
        }
        *out = wrap(loaded);
    });
}

extern "C" int afs_index_serialize(const afs_index *index, uint8_t **bytes, size_t *length, char *error,
                                   size_t capacity) {
    return guarded(error, capacity, [&] {
        const auto &map = checked(index);
        require(bytes != nullptr && length != nullptr, "output pointers are NULL");
        *bytes = nullptr;
        *length = 0;
        faiss::VectorIOWriter writer;
        faiss::write_index(&map, &writer);
        auto *buffer = static_cast<uint8_t *>(std::malloc(std::max<size_t>(writer.data.size(), 1)));
        if (buffer == nullptr) throw std::bad_alloc();
        std::memcpy(buffer, writer.data.data(), writer.data.size());
        *bytes = buffer;
        *length = writer.data.size();
    });
}

extern "C" int afs_index_deserialize(const uint8_t *bytes, size_t length, afs_index **out, char *error,
                                     size_t capacity) {
    return guarded(error, capacity, [&] {
        require(out != nullptr, "out pointer is NULL");
        *out = nullptr;
        require(bytes != nullptr || length == 0, "bytes pointer is NULL");
        faiss::VectorIOReader reader;
        reader.data.assign(bytes, bytes + length);
        faiss::Index *loaded = nullptr;
        try {
            loaded = faiss::read_index(&reader);
        } catch (const faiss::FaissException &e) {
            refuse(AFS_IO_ERROR, e.what());
        }
        *out = wrap(loaded);
    });
}

extern "C" void afs_buffer_free(uint8_t *bytes) { std::free(bytes); }
