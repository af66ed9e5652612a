// swift-tools-version: 6.1
// AdaptCLIP: a frozen CLIP plus pluggable adapters, served over HTTP.
// The layering below mirrors ../shared/DESIGN.md; lower layers never import upper ones.
import PackageDescription

let package = Package(
    name: "AdaptCLIP",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "adaptclip", targets: ["adaptclip"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .library(name: "Numerics", targets: ["Numerics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // MARK: C system libraries (installed by scripts/bootstrap)
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/C/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/C/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CImageCodecs", path: "Sources/C/CImageCodecs", pkgConfig: "libpng",
            providers: [.apt(["libturbojpeg0-dev", "libpng-dev", "libwebp-dev"])]),
        // zlib for gzip-compressed JSON responses (Accept-Encoding: gzip).
        .systemLibrary(
            name: "CZlib", path: "Sources/C/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // libcurl for image_url fetches: unlike URLSession it can pin the checked address
        // (CURLOPT_RESOLVE) and show the fetcher every address it connects to.
        // glibc's malloc.h (mallopt): header only, part of libc.
        .systemLibrary(name: "CMalloc", path: "Sources/C/CMalloc"),
        .systemLibrary(
            name: "CCurl", path: "Sources/C/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // OpenSSL's libcrypto for SHA-256: its SHA-NI / AVX2 kernels hash a checkpoint at GB/s
        // (a model's id is its weights' digest, computed at every start; uploads are deduplicated
        // by digest).
        .systemLibrary(
            name: "CCrypto", path: "Sources/C/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // C++ over Debian's static libfaiss, exposing a C API (no exception crosses it).
        .target(
            name: "CFaissShim", dependencies: ["CVectorScan"], path: "Sources/C/CFaissShim",
            linkerSettings: [
                .linkedLibrary("faiss"), .linkedLibrary("gomp"), .linkedLibrary("blas"),
                .linkedLibrary("lapack"), .linkedLibrary("m"), .linkedLibrary("stdc++"),
            ]),

        // GEMM over weights packed at load (AVX-512, chosen at run time). Debug builds compile it
        // at -O0, which slows the test suite only from 55 s to 62 s; forcing -O3 would need
        // unsafe flags, which keep a package from being used as a dependency.
        .target(name: "CPackedGEMM", path: "Sources/C/CPackedGEMM"),

        // Exact inner-product scans (AVX-512 / AVX2 / scalar, chosen at run time) for the vector
        // index's exact paths: Debian's FAISS has no SIMD distance kernels.
        .target(name: "CVectorScan", path: "Sources/C/CVectorScan"),

        // Spinning worker threads for the parallel sections of a forward pass.
        .target(name: "CWorkerPool", path: "Sources/C/CWorkerPool"),

        // MARK: Swift layers
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CPackedGEMM", "CWorkerPool"]),
        .target(name: "Tokenizers", dependencies: ["JSON"]),
        .target(name: "Imaging", dependencies: ["CImageCodecs"]),
        .target(name: "Digests", dependencies: ["CCrypto"]),
        // One JSON value type and parser for requests, configuration, manifests and metadata.
        .target(name: "JSON"),
        .target(name: "Models", dependencies: ["Numerics", "Digests", "JSON"]),
        .target(name: "Engine", dependencies: ["Models", "Tokenizers", "Imaging", "Numerics", "Digests"]),
        // Owns the data directory (layout, image files, which space is served, opening and
        // locking stores) for the server and the CLI alike; reads image formats and sizes with
        // Imaging's header reader rather than a second sniffer.
        .target(
            name: "Retrieval", dependencies: ["CFaissShim", "CSQLite", "Digests", "Imaging", "JSON", "Numerics"],
            // The numbered .sql migrations ship with the binary (see migrations/README.md).
            resources: [.copy("Migrations")]),
        // The shared store for several replicas: PostgreSQL + pgvector behind the same item,
        // embedding and filter vocabulary as Retrieval's embedded SQLite + FAISS store.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Retrieval", "JSON",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The numbered .sql migrations ship with the binary (migrations/postgres links here).
            resources: [.copy("Migrations")]),
        .target(name: "HTTPServer", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Service",
            dependencies: [
                "HTTPServer", "Engine", "Retrieval", "PostgresStore", "Models", "Numerics", "Imaging", "Digests", "JSON", "CMalloc", "CCurl", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // Benchmark target for scripts/bench-http: a trivial route on HTTPServer alone.
        .executableTarget(
            name: "http-bench-server",
            dependencies: ["HTTPServer", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "adaptclip",
            dependencies: [
                "Service", "Engine", "Retrieval", "PostgresStore", "HTTPServer", "Numerics", "Imaging", "Models", "Tokenizers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Throughput of the CLIP forward passes (not a test; see scripts/peer-bench).
        .executableTarget(name: "clip-bench", dependencies: ["Models", "Numerics"], path: "Benchmarks/CLIPBench"),
        // JPEG decode + preprocessing, DCT-scaled against full size (see scripts/bench-decode).
        .executableTarget(name: "decode-bench", dependencies: ["Engine", "Imaging", "Models"], path: "Benchmarks/DecodeBench"),
        // Write latency while the index is rebuilt in the background (docs/retrieval.md).
        .executableTarget(name: "retrieval-writes", dependencies: ["Retrieval"], path: "Benchmarks/RetrievalWrites"),
        // Recall and latency of pgvector's HNSW against exact search (scripts/bench-pgvector, docs/scaling.md).
        .executableTarget(
            name: "pgvector-bench", dependencies: ["PostgresStore", "Retrieval", "Digests", "TestSupport"], path: "Benchmarks/PgvectorBench"),

        // MARK: Tests, one target per library target
        // Helpers every test target shares (seeded generator, temporary directories, the fixture
        // root, vector comparisons, gates). It depends on no project library, so any test target
        // can use it; a helper that needs a project type stays in that type's test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Digests", "JSON", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Imaging", "Models", "Tokenizers", "TestSupport"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "CVectorScan", "Digests", "JSON", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        // Starts a real PostgreSQL (TemporaryPostgres, from scripts/postgres-venv) once per run.
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "Retrieval", "Digests", "JSON", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "HTTPServer", "Engine", "Digests", "JSON", "Models", "Retrieval", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
