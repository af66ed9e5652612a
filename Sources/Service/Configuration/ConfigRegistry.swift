import Models
import Numerics
import PostgresStore
import Retrieval

/// Every knob the service has. config/adaptclip.json and config/README.md are tested against
/// this list, so a knob cannot exist undocumented.
public enum ConfigRegistry {
    private static let mebibyte = 1 << 20

    public static let keys: [ConfigKey] = [
        // Where the service listens and how it stops.
        ConfigKey("server.host", .string("127.0.0.1"), "Address to listen on; \"::\" or \"0.0.0.0\" for all interfaces.", check: ConfigKey.nonEmpty),
        ConfigKey("server.port", .int(8080), "TCP port; 0 picks a free port (printed at start).", check: ConfigKey.intRange(0...65535)),
        ConfigKey("server.max_connections", .int(1024), "Open connections at most; beyond it new ones get 503 and are closed.", check: ConfigKey.intRange(1...1_000_000)),
        ConfigKey("server.shutdown_grace_seconds", .double(10), "On SIGTERM/SIGINT, how long in-flight requests may take to finish.", check: ConfigKey.positiveSeconds(max: 3600)),

        // State and models.
        ConfigKey("data_dir", .string("data"), "Folder for the SQLite database, the FAISS index and stored images.", check: ConfigKey.nonEmpty),
        ConfigKey("models.clip", .string(""), "Hugging Face CLIP directory; empty serves the embedded default bundle."),
        ConfigKey(
            "models.zh_encoder", .string(""),
            "Hugging Face BERT directory for Chinese text (read by the language adapter), or a published encoder with its own projection (Taiyi-CLIP, M-CLIP, converted by `training/convert_checkpoint.py`; then no adapter); empty uses the bundle's."),
        ConfigKey("models.zh_adapter", .string(""), "Language adapter checkpoint directory; empty uses the bundle's."),
        ConfigKey("gallery.seed", .bool(true), "With the embedded default and an empty collection, index the bundle's demo gallery at start."),
        ConfigKey("page.thumbnail_size", .int(256), "Longest side, in pixels, of the thumbnails /v1/images/{id}/thumbnail serves to the search page (cached in data_dir/thumbnails).", check: ConfigKey.intRange(16...2048)),
        ConfigKey("engine.threads", .int(0), "Threads for model math (its own workers and OpenBLAS); 0 uses every core.", check: ConfigKey.intRange(0...1024)),
        ConfigKey("engine.gemm", .string("auto"), "Linear layers: auto (the packed kernel with the widest micro-kernel the CPU has, AVX-512F or AVX2 + FMA, else OpenBLAS), avx512 or avx2 (that micro-kernel; refused at start where the CPU lacks it) or openblas (always cblas_sgemm).",
                  check: { value in
                      if let refusal = ConfigKey.oneOf(GEMMKernel.allCases.map(\.rawValue))(value) { return refusal }
                      guard case .string(let name) = value, let kernel = GEMMKernel(rawValue: name), !kernel.isAvailable else { return nil }
                      return GEMMKernel.Unavailable(kernel: kernel).description
                  }),
        ConfigKey("engine.precision", .string("fp32"), "Number format of the linear layers' products: fp32, bf16 (refused at start where the CPU lacks AVX512-BF16) or auto (bf16 where the CPU has AVX512-BF16 and engine.gemm is auto, else fp32). bf16 serves only if it passes engine.precision_min_cosine at load; under auto a failure serves fp32.",
                  check: { value in
                      if let refusal = ConfigKey.oneOf(PrecisionChoice.allCases.map(\.rawValue))(value) { return refusal }
                      guard case .string(let name) = value, let choice = PrecisionChoice(rawValue: name) else { return nil }
                      do { _ = try choice.resolved() } catch { return "\(error)" }
                      return nil
                  }),
        ConfigKey("engine.precision_min_cosine", .double(PrecisionParity.minimumCosine), "The bf16 gate: lowest cosine any image or text feature of a fixed probe may keep to the same model's fp32 features.",
                  check: { value in
                      guard case .double(let d) = value, d > 0, d <= 1 else { return "must be a cosine in (0, 1]" }
                      return nil
                  }),
        ConfigKey("engine.query_cache_entries", .int(10_000), "Query embeddings kept in the LRU cache; 0 disables it. Keys hold a digest of the text, so an entry costs about 4 bytes per dimension + 256 bytes whatever the text.", check: ConfigKey.intRange(0...10_000_000)),
        ConfigKey("engine.request_work_threads", .int(0), "Threads that tokenise texts, decode and preprocess images and parse large bodies, off the threads that serve HTTP; 0 uses every core.", check: ConfigKey.intRange(0...1024)),
        ConfigKey("engine.decoding_pixels_in_flight", .int(60_000_000), "Pixels decoded at once across all requests (3 bytes each until preprocessed): bounds peak memory; an image larger than this decodes alone.", check: ConfigKey.intRange(1...10_000_000_000)),
        ConfigKey("engine.jpeg_dct_scaling", .bool(true), "Decode a JPEG larger than the model needs straight to 1/2, 1/4 or 1/8 of its sides with libjpeg-turbo's DCT scaling (never below the resize target), then the exact bicubic resize: a 12 MP photo decodes several times faster in 1/64 of the memory; embeddings keep cosine >= 0.999 to the full decode (docs/benchmarks.md). false decodes every JPEG at full size, as transformers does."),
        ConfigKey("engine.request_work_queue_depth", .int(256), "Requests waiting for a request-work thread at most; beyond it 503 with Retry-After.", check: ConfigKey.intRange(1...1_000_000)),

        // HTTP limits: each refusal names the limit it hit.
        ConfigKey("limits.max_body_bytes", .int(16 * mebibyte), "Largest request body (413 above it, sent before the body is read).", check: ConfigKey.intRange(1...(1 << 31))),
        ConfigKey("ingest.batch_max_pixels", .int(400_000_000), "Most pixels the images of one POST /v1/images:batch may announce together (stored width x height, read from their headers before any is decoded; 413 above it). 400 MP: a full chunk of adaptclip index add --server (32 files) of 12 MP photos.", check: ConfigKey.intRange(1...1_000_000_000_000)),
        ConfigKey("ingest.max_running_jobs", .int(1), "Ingest jobs that run at once; the others wait queued, in submission order.", check: ConfigKey.intRange(1...64)),
        ConfigKey("ingest.max_queued_jobs", .int(100), "Ingest jobs that may wait queued; POST /admin/ingest answers 503 past it.", check: ConfigKey.intRange(0...100_000)),
        ConfigKey("limits.max_header_bytes", .int(16 * 1024), "Largest header block (431 above it).", check: ConfigKey.intRange(256...(1 << 20))),
        ConfigKey("limits.max_header_count", .int(100), "Most header fields in one request (431 above it).", check: ConfigKey.intRange(1...10_000)),
        ConfigKey("limits.max_request_line_bytes", .int(8 * 1024), "Longest request line (414 above it).", check: ConfigKey.intRange(64...(1 << 20))),
        ConfigKey("limits.header_timeout_seconds", .double(10), "Time to receive a whole header block (slowloris guard).", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("limits.body_timeout_seconds", .double(30), "Longest pause between body bytes.", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("limits.idle_timeout_seconds", .double(60), "Idle keep-alive connections are closed after this.", check: ConfigKey.positiveSeconds(max: 86_400)),
        ConfigKey("limits.request_read_timeout_seconds", .double(60), "Time to receive a whole request, from its first byte to its last body byte, however steadily it drips (408 past it; 16 MiB at 2.2 Mbit/s).", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("limits.request_timeout_seconds", .double(30), "Deadline of one request from arrival to answer (504 past it).", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("limits.max_image_pixels", .int(50_000_000), "Images with more pixels are refused before decoding (decompression bombs).", check: ConfigKey.intRange(1...1_000_000_000)),
        ConfigKey("limits.max_image_pixels_per_request", .int(100_000_000), "Most pixels the images of one request may announce together, read from their headers before any is decoded (413 above it).", check: ConfigKey.intRange(1...10_000_000_000)),
        ConfigKey("limits.max_jpeg_scans", .int(100), "Most scans a JPEG may have (a progressive scan re-walks the whole image; encoders write 6 to a few dozen). TurboJPEG's own guard stops at 500 whatever this says.", check: ConfigKey.intRange(1...500)),
        ConfigKey("limits.max_webp_pixels_per_byte", .int(16_384), "Most pixels a WebP may announce per byte of its file beyond its first megapixel (a lossless WebP can describe a huge flat image in a few bytes).", check: ConfigKey.intRange(1...1_000_000_000)),
        ConfigKey("limits.webp_pixels_free_of_ratio", .int(1_048_576), "Pixels any WebP may have whatever its size in bytes, so small plain images are never refused.", check: ConfigKey.intRange(0...1_000_000_000)),
        ConfigKey("limits.max_inputs_per_request", .int(64), "Most texts or images in one embeddings/score request.", check: ConfigKey.intRange(1...10_000)),
        ConfigKey("limits.max_labels", .int(256), "Most labels in one classify request.", check: ConfigKey.intRange(1...100_000)),
        ConfigKey("limits.max_search_results", .int(100), "Largest k of one search request.", check: ConfigKey.intRange(1...10_000)),
        ConfigKey("limits.max_text_bytes", .int(65_536), "Longest text the model is asked to read (an input, a query, a label, a filled prompt template), in UTF-8 bytes; 413 above it. CLIP reads 77 tokens, a few hundred bytes, of any text.", check: ConfigKey.intRange(1...(1 << 30))),
        ConfigKey("limits.max_prompt_bytes", .int(262_144), "Most bytes of prompt text one classify request may build (template filled with every label); 413 above it.", check: ConfigKey.intRange(1...(1 << 30))),
        ConfigKey("limits.max_json_values", .int(100_000), "Most JSON values (objects, arrays, strings, numbers, literals) in one request body, counted before it is parsed; 413 above it.", check: ConfigKey.intRange(1...100_000_000)),
        ConfigKey("limits.max_json_depth", .int(64), "Deepest nesting of arrays and objects in one request body, checked before it is parsed; 400 above it.", check: ConfigKey.intRange(1...10_000)),
        ConfigKey("limits.max_filter_keys", .int(MetadataFilterLimits.default.maxKeys), "Most metadata keys in one search filter.", check: ConfigKey.intRange(1...MetadataFilterLimits.ceiling.maxKeys)),
        ConfigKey("limits.max_filter_key_bytes", .int(MetadataFilterLimits.default.maxKeyBytes), "Longest metadata key in a search filter, in UTF-8 bytes.", check: ConfigKey.intRange(1...MetadataFilterLimits.ceiling.maxKeyBytes)),
        ConfigKey("limits.max_filter_value_bytes", .int(MetadataFilterLimits.default.maxValueBytes), "Longest string value in a search filter, in UTF-8 bytes.", check: ConfigKey.intRange(1...MetadataFilterLimits.ceiling.maxValueBytes)),

        // The vector index (docs/retrieval.md explains the trade-offs).
        ConfigKey("index.flat_limit", .int(50_000), "Up to this many vectors the index is exact (Flat); above it, index.approximate_factory.", check: ConfigKey.intRange(0...1_000_000_000)),
        ConfigKey("index.approximate_factory", .string("IVF1024,SQfp16"), "FAISS factory string above the flat limit (IVF1024,SQfp16: half-precision rows, IVF1024,Flat: float32 rows, IVF4096,SQfp16, HNSW32, IVF4096,PQ64 ...); built in the background.", check: ConfigKey.nonEmpty),
        ConfigKey("index.nprobe", .int(16), "IVF: inverted lists visited per search.", check: ConfigKey.intRange(1...65_536)),
        ConfigKey("index.ef_search", .int(128), "HNSW: candidate list size per search.", check: ConfigKey.intRange(1...65_536)),
        ConfigKey("index.checkpoint_every_rows", .int(5_000), "Rows added between index checkpoints (the rest is replayed from SQLite at start).", check: ConfigKey.intRange(1...100_000_000)),

        // Which store holds the collection (docs/scaling.md): the embedded SQLite + FAISS of
        // data_dir, or a PostgreSQL + pgvector database any number of replicas share.
        ConfigKey("store.backend", .string("sqlite"), "sqlite (the embedded store in data_dir, one process) or postgres (store.postgres.url, shared by any number of replicas).", check: ConfigKey.oneOf(["sqlite", "postgres"])),
        ConfigKey("store.postgres.url", .string(""), "libpq-style URL of the shared store, postgres://user:password@host:port/database?sslmode=...; required with store.backend postgres. Its password is never shown.",
                  check: StoreSettings.checkURL),
        ConfigKey("store.postgres.max_connections", .int(StoreSettings.defaultPoolLimits.maxConnections), "Connections one replica opens at most (replicas x this must stay under the server's max_connections).", check: ConfigKey.intRange(1...1_000)),
        ConfigKey("store.postgres.acquire_timeout_seconds", .double(StoreSettings.defaultPoolLimits.acquireTimeout.wholeSeconds), "How long a store call waits for a free connection before it fails with 503.", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("store.postgres.statement_timeout_seconds", .double(StoreSettings.defaultPoolLimits.statementTimeout.wholeSeconds), "Longest one statement may run (also the server's statement_timeout) before the call fails with 503.", check: ConfigKey.positiveSeconds(max: 3600)),
        ConfigKey("store.postgres.ef_search", .int(PostgresIndexSettings().efSearch), "pgvector HNSW candidate list per search (hnsw.ef_search): recall against latency.", check: ConfigKey.intRange(1...1_000)),

        // Images fetched by URL (`image_url` members): off unless hosts are allow-listed.
        ConfigKey("image_url.allowed_hosts", .string(""), "Comma-separated hosts (names or IP literals) image_url may fetch from; empty disables image_url.", check: { _ in nil }),
        ConfigKey("image_url.max_bytes", .int(10 * mebibyte), "Largest image fetched by URL.", check: ConfigKey.intRange(1...(1 << 30))),
        ConfigKey("image_url.timeout_seconds", .double(10), "Time limit of one image_url fetch, redirects included.", check: ConfigKey.positiveSeconds(max: 300)),
        ConfigKey("image_url.max_redirects", .int(3), "Redirects one image_url fetch follows at most, each to the same scheme, host and port.", check: ConfigKey.intRange(0...10)),

        // Bulk ingest: batch uploads and the admin's background jobs (docs/api.md, "Ingest jobs").
        ConfigKey("ingest.allowed_roots", .list([]), "Absolute folders (and what lies under them) POST /admin/ingest may read; empty: no folder may be ingested. Symbolic links are never followed out of them.",
                  check: { value in
                      guard case .list(let items) = value else { return "must be a JSON array of absolute paths" }
                      for item in items { guard case .string(let path) = item, path.hasPrefix("/") else { return "every entry must be an absolute path" } }
                      return nil
                  }),
        ConfigKey("ingest.max_file_bytes", .int(64 * mebibyte), "Largest file a folder job reads; larger ones are skipped.", check: ConfigKey.intRange(1...(1 << 34))),
        ConfigKey("ingest.max_job_files", .int(1_000_000), "Most files (or URLs) in one ingest job; a larger folder is refused.", check: ConfigKey.intRange(1...100_000_000)),
        ConfigKey("ingest.job_batch_size", .int(32), "Images an ingest job embeds and commits together (two such batches are in flight).", check: ConfigKey.intRange(1...4096)),
        ConfigKey("ingest.batch_max_files", .int(64), "Most images in one POST /v1/images:batch request.", check: ConfigKey.intRange(1...10_000)),
        ConfigKey("ingest.batch_max_bytes", .int(64 * mebibyte), "Largest body of one POST /v1/images:batch (413 before it is read); that route's limit instead of limits.max_body_bytes.", check: ConfigKey.intRange(1...(1 << 31))),

        // Dynamic batching of model calls.
        ConfigKey("batching.max_batch_size", .int(32), "Largest model batch formed from concurrent requests.", check: ConfigKey.intRange(1...4096)),
        ConfigKey("batching.max_wait_ms", .int(5), "How long the first request of a batch waits for company.", check: ConfigKey.intRange(0...10_000)),
        ConfigKey("batching.queue_depth", .int(256), "Queued model requests at most; beyond it 503 with Retry-After.", check: ConfigKey.intRange(1...1_000_000)),

        // The API surface for clients: how many texts one embeddings call may carry, which
        // browser origins may call it, and who may call it at all (docs/api.md has recipes).
        ConfigKey("limits.max_embedding_inputs", .int(2048), "Most texts or images in one /v1/embeddings request (OpenAI's own limit; LangChain sends up to 1,000); they reach the model in batches of batching.max_batch_size.", check: ConfigKey.intRange(1...100_000)),
        ConfigKey("cors.allowed_origins", .list([]), "Browser origins (scheme://host[:port]) whose pages may call the API, or \"*\" for any; empty sends no CORS headers. /admin/* never answers cross-origin.", check: CORSPolicy.check),
        ConfigKey("auth.api_keys", .list([]), "API keys for /v1/*: [{\"name\", \"sha256\" (adaptclip keys hash), \"requests_per_minute\"}]; empty leaves /v1/* open. In the environment, the JSON array as text.",
                  check: { value in
                      if case .failure(let error) = APIKeyEntry.parseAll(value) { return error.reason }
                      return nil
                  }),

        ConfigKey("logging.level", .string("info"), "trace, debug, info, notice, warning, error or critical.",
                  check: ConfigKey.oneOf(["trace", "debug", "info", "notice", "warning", "error", "critical"])),
    ]

    /// Environment variables read besides the keys' own; secrets live only here, never in files.
    public static let adminTokenVariable = "ADAPTCLIP_ADMIN_TOKEN"
    public static let configFileVariable = "ADAPTCLIP_CONFIG"

    static let byPath: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })
}
