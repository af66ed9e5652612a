#!/bin/sh
# Retrieval benchmark (not a test): search QPS and recall@10 against exact search for Flat,
# HNSW32 and IVF at N random 512-d unit vectors, bytes per vector, and the shim's overhead
# against calling FAISS's C++ directly.
#
#   Benchmarks/Retrieval/run.sh [N=100000] [QUERIES=500] [THREADS=1] ["Flat;HNSW32;IVF1024,Flat;IVF1024,PQ64"]
#
# Builds search_benchmark.cpp together with the shim's own source (so the shim measured is the
# one the Swift code links) with the same FAISS/BLAS libraries as Package.swift, then runs it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TMPDIR:-/tmp}/adaptclip-search-benchmark
c++ -std=c++17 -O2 -DNDEBUG -I"$root/Sources/C/CFaissShim/include" \
    "$here/search_benchmark.cpp" "$root/Sources/C/CFaissShim/faiss_shim.cpp" \
    -o "$out" -lfaiss -lgomp -lblas -llapack -lm
exec "$out" "${1:-100000}" "${2:-500}" "${3:-1}" "${4:-Flat;HNSW32;IVF1024,Flat;IVF1024,PQ64}"
