// See run.sh. One process, one index type at a time: build, then time searches through the shim
// (afs_index_search, what Swift calls) and through faiss::Index::search directly on the same
// index (the shim's index serialised and read back with faiss::read_index), with the same queries, k = 10, one query per call (the service's pattern).
#include "faiss_shim.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <memory>
#include <set>
#include <string>
#include <vector>


using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

static void check(int status, const char *what, const char *error) {
    if (status != AFS_OK) { std::fprintf(stderr, "%s failed: %s\n", what, error); std::exit(1); }
}

static std::vector<float> unit_vectors(size_t n, int d, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g;
    std::vector<float> x(n * d);
    for (size_t i = 0; i < n; ++i) {
        float norm = 0;
        for (int j = 0; j < d; ++j) { x[i * d + j] = g(rng); norm += x[i * d + j] * x[i * d + j]; }
        norm = std::sqrt(norm);
        for (int j = 0; j < d; ++j) x[i * d + j] /= norm;
    }
    return x;
}

int main(int argc, char **argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 100000;
    const long nq = argc > 2 ? std::atol(argv[2]) : 500;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    const int d = 512, k = 10;
    omp_set_num_threads(threads);
    std::printf("FAISS %s, n=%ld, d=%d, queries=%ld, k=%d, OpenMP threads=%d\n", afs_version(), n, d, nq, k, threads);
    auto data = unit_vectors(n, d, 1);
    auto queries = unit_vectors(nq, d, 2);
    std::vector<int64_t> ids(n);
    for (long i = 0; i < n; ++i) ids[i] = 1000 + i;

    // Ground truth: exact inner product.
    faiss::IndexFlatIP exact(d);
    exact.add(n, data.data());
    std::vector<float> gt_s(nq * k);
    std::vector<faiss::Index::idx_t> gt_i(nq * k);
    exact.search(nq, queries.data(), k, gt_s.data(), gt_i.data());

    // Optional 4th argument: a comma-free list like "Flat;HNSW32" to run a subset.
    std::vector<std::string> factories = {"Flat", "HNSW32", "IVF1024,Flat", "IVF1024,PQ64"};
    if (argc > 4) {
        factories.clear();
        std::string list(argv[4]);
        size_t start = 0;
        while (start <= list.size()) {
            size_t end = list.find(';', start);
            if (end == std::string::npos) end = list.size();
            if (end > start) factories.push_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
    std::printf("%-14s %9s %9s %10s %10s %11s %9s\n", "index", "build s", "recall@10", "QPS shim", "QPS C++", "shim cost", "B/vector");
    for (const std::string &name : factories) {
        const char *factory = name.c_str();
        char error[AFS_ERROR_CAPACITY];
        afs_index *index = nullptr;
        check(afs_index_new(factory, d, &index, error, sizeof error), "new", error);
        auto t0 = Clock::now();
        long train_n = std::min<long>(n, 100000);
        check(afs_index_train(index, train_n, d, data.data(), error, sizeof error), "train", error);
        check(afs_index_add_with_ids(index, n, d, data.data(), ids.data(), error, sizeof error), "add", error);
        double build = seconds_since(t0);
        if (name.rfind("HNSW", 0) == 0) check(afs_index_set_parameter(index, "efSearch", 128, error, sizeof error), "efSearch", error);
        if (name.rfind("IVF", 0) == 0) check(afs_index_set_parameter(index, "nprobe", 32, error, sizeof error), "nprobe", error);

        // The same index for the direct path: the shim's bytes, read back by FAISS itself.
        uint8_t *bytes = nullptr;
        size_t length = 0;
        check(afs_index_serialize(index, &bytes, &length, error, sizeof error), "serialize", error);
        faiss::VectorIOReader reader;
        reader.data.assign(bytes, bytes + length);
        afs_buffer_free(bytes);
        std::unique_ptr<faiss::Index> direct(faiss::read_index(&reader));

        std::vector<float> scores(k);
        std::vector<int64_t> got(nq * k);
        // Warm up, then alternate shim and direct passes so drift hits both alike.
        for (long q = 0; q < std::min<long>(nq, 20); ++q)
            afs_index_search(index, 1, d, queries.data() + q * d, k, nullptr, -1, scores.data(), got.data(), error, sizeof error);
        // Shim and direct calls alternate query by query, so load from other processes hits both alike.
        double shim_time = 0, direct_time = 0;
        std::vector<faiss::Index::idx_t> direct_ids(k);
        for (int pass = 0; pass < 3; ++pass) {
            for (long q = 0; q < nq; ++q) {
                const float *query = queries.data() + q * d;
                // Whichever runs second finds the query and the lists it touches in cache, so
                // the order flips every query.
                auto run_shim = [&] {
                    auto t = Clock::now();
                    check(afs_index_search(index, 1, d, query, k, nullptr, -1, scores.data(), got.data() + q * k, error, sizeof error), "search", error);
                    shim_time += seconds_since(t);
                };
                auto run_direct = [&] {
                    auto t = Clock::now();
                    direct->search(1, query, k, scores.data(), direct_ids.data());
                    direct_time += seconds_since(t);
                };
                if ((q + pass) % 2 == 0) { run_shim(); run_direct(); } else { run_direct(); run_shim(); }
            }
        }
        double recall = 0;
        for (long q = 0; q < nq; ++q) {
            std::set<int64_t> truth;
            for (int j = 0; j < k; ++j) truth.insert(gt_i[q * k + j] + 1000);
            for (int j = 0; j < k; ++j) recall += truth.count(got[q * k + j]);
        }
        recall /= double(nq * k);
        double qps_shim = 3.0 * nq / shim_time, qps_direct = 3.0 * nq / direct_time;
        std::printf("%-14s %9.1f %9.3f %10.0f %10.0f %10.2f%% %9.0f\n", factory, build, recall, qps_shim, qps_direct,
                    100.0 * (shim_time - direct_time) / direct_time, double(length) / n);
        std::fflush(stdout);
        afs_index_free(index);
    }
    return 0;
}
