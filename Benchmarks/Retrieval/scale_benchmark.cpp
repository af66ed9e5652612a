// The project's side of the scale benchmark (driven by scale_bench.py, see scripts/scale-bench):
// reads base vectors, queries and the exact top-10 from files, builds one index through the shim
// (what the Swift store links), then answers commands on stdin so the driver can alternate its
// rounds with faiss-cpu's in the same run:
//   "param <nprobe|efSearch> <value>"  sets a search parameter
//   "search [N]"                       one single-query pass over the first N (all) queries →
//                                      "recall <r> p50_ms <ms> qps <q>"
//   "kernels"                          exact scans straight through CVectorScan, one thread,
//                                      float32 and half-precision rows, per kernel → one line each
// Build time and serialised bytes per vector are printed once after the build.
//
//   scale_benchmark BASE.f32 QUERIES.f32 GT.i64 DIMENSION FACTORY [TRAINING_VECTORS=200000]
#include "faiss_shim.h"
#include "vector_scan.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

static void check(int status, const char *what, const char *error) {
    if (status != AFS_OK) { std::fprintf(stderr, "%s failed: %s\n", what, error); std::exit(1); }
}

template <typename T> static std::vector<T> read_all(const char *path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) { std::fprintf(stderr, "cannot read %s\n", path); std::exit(1); }
    std::vector<T> out(static_cast<size_t>(in.tellg()) / sizeof(T));
    in.seekg(0);
    in.read(reinterpret_cast<char *>(out.data()), out.size() * sizeof(T));
    return out;
}

int main(int argc, char **argv) {
    if (argc < 6) { std::fprintf(stderr, "usage: %s BASE QUERIES GT DIMENSION FACTORY [TRAINING]\n", argv[0]); return 2; }
    const int d = std::atoi(argv[4]), k = 10;
    const std::string factory = argv[5];
    const long training_cap = argc > 6 ? std::atol(argv[6]) : 200000;
    auto base = read_all<float>(argv[1]);
    auto queries = read_all<float>(argv[2]);
    auto truth = read_all<int64_t>(argv[3]);
    const long n = base.size() / d, nq = queries.size() / d;
    std::vector<int64_t> ids(n);
    for (long i = 0; i < n; ++i) ids[i] = i;  // the exact top-10 is in row numbers

    char error[AFS_ERROR_CAPACITY];
    afs_index *index = nullptr;
    check(afs_index_new(factory.c_str(), d, &index, error, sizeof error), "new", error);
    auto t0 = Clock::now();
    int trained = 0;
    check(afs_index_is_trained(index, &trained, error, sizeof error), "is_trained", error);
    if (!trained) {
        // As the store trains: an evenly spaced sample of at most training_cap vectors.
        long stride = std::max<long>(1, (n + training_cap - 1) / training_cap);
        std::vector<float> sample;
        for (long i = 0; i < n; i += stride) sample.insert(sample.end(), base.begin() + i * d, base.begin() + (i + 1) * d);
        check(afs_index_train(index, sample.size() / d, d, sample.data(), error, sizeof error), "train", error);
    }
    for (long start = 0; start < n; start += 4096) {  // the store adds in pages of 4096 rows
        long count = std::min<long>(4096, n - start);
        check(afs_index_add_with_ids(index, count, d, base.data() + start * d, ids.data() + start, error, sizeof error), "add", error);
    }
    double build = seconds_since(t0);
    uint8_t *bytes = nullptr;
    size_t length = 0;
    check(afs_index_serialize(index, &bytes, &length, error, sizeof error), "serialize", error);
    afs_buffer_free(bytes);
    std::printf("built %s n %ld d %d build_s %.1f bytes_per_vector %.0f kernel %d\n", factory.c_str(), n, d, build,
                double(length) / n, adaptclip_scan_detected_kernel());
    std::fflush(stdout);

    std::string line;
    std::vector<float> scores(k);
    std::vector<int64_t> got(nq * k);
    while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::string command;
        words >> command;
        if (command == "param") {
            std::string name;
            double value;
            words >> name >> value;
            check(afs_index_set_parameter(index, name.c_str(), value, error, sizeof error), "set_parameter", error);
            std::printf("ok\n");
        } else if (command == "search") {
            long limit = nq, asked = 0;
            if (words >> asked && asked > 0) limit = std::min(asked, nq);
            std::vector<double> times(limit);
            for (long q = 0; q < limit; ++q) {
                auto t = Clock::now();
                check(afs_index_search(index, 1, d, queries.data() + q * d, k, nullptr, -1, scores.data(), got.data() + q * k,
                                       error, sizeof error), "search", error);
                times[q] = seconds_since(t);
            }
            double recall = 0, total = 0;
            for (long q = 0; q < limit; ++q) {
                std::set<int64_t> expected(truth.begin() + q * k, truth.begin() + (q + 1) * k);
                for (int j = 0; j < k; ++j) recall += expected.count(got[q * k + j]);
                total += times[q];
            }
            std::sort(times.begin(), times.end());
            std::printf("recall %.4f p50_ms %.3f qps %.1f\n", recall / (limit * k), times[limit / 2] * 1e3, limit / total);
        } else if (command == "kernels") {
            std::vector<uint16_t> half(base.size());
            for (size_t i = 0; i < base.size(); ++i) half[i] = adaptclip_f16_from_float(base[i]);
            long runs = std::min<long>(nq, 20);
            for (int kernel = ADAPTCLIP_SCAN_SCALAR; kernel <= adaptclip_scan_detected_kernel(); ++kernel) {
                for (int precision = 0; precision < 2; ++precision) {
                    std::vector<double> times(runs);
                    double recall = 0;
                    for (long q = 0; q < runs; ++q) {
                        std::vector<int64_t> labels(k);
                        adaptclip_topk best;
                        adaptclip_topk_init(&best, scores.data(), labels.data(), k);
                        auto t = Clock::now();
                        if (precision == 0) adaptclip_scan_f32(kernel, queries.data() + q * d, d, base.data(), n, nullptr, 0, &best);
                        else adaptclip_scan_f16(kernel, queries.data() + q * d, d, half.data(), n, nullptr, 0, &best);
                        adaptclip_topk_finish(&best);
                        times[q] = seconds_since(t);
                        std::set<int64_t> expected(truth.begin() + q * k, truth.begin() + (q + 1) * k);
                        for (int j = 0; j < k; ++j) recall += expected.count(labels[j]);
                    }
                    std::sort(times.begin(), times.end());
                    std::printf("kernel %d rows %s recall %.4f p50_ms %.3f bytes_per_vector %d\n", kernel, precision ? "f16" : "f32",
                                recall / (runs * k), times[runs / 2] * 1e3, d * (precision ? 2 : 4));
                }
            }
            std::printf("done\n");
        }
        std::fflush(stdout);
    }
    afs_index_free(index);
    return 0;
}
