import Foundation
import Numerics

/// The resolved, validated configuration, typed. Built only by `ConfigurationLoader`.
public struct AdaptCLIPConfiguration: Sendable, CustomStringConvertible {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var maxConnections: Int
        public var shutdownGraceSeconds: Double
    }

    public struct Models: Sendable {
        /// nil means "use the embedded default bundle".
        public var clip: String?
        public var zhEncoder: String?
        public var zhAdapter: String?
    }

    public struct Limits: Sendable {
        public var maxBodyBytes: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxRequestLineBytes: Int
        public var headerTimeoutSeconds: Double
        public var bodyTimeoutSeconds: Double
        public var idleTimeoutSeconds: Double
        public var requestTimeoutSeconds: Double
        public var requestReadTimeoutSeconds: Double
        public var maxImagePixels: Int
        public var maxImagePixelsPerRequest: Int
        public var maxJPEGScans: Int
        public var maxWebPPixelsPerByte: Int
        public var webPPixelsFreeOfRatio: Int
        public var maxInputsPerRequest: Int
        public var maxLabels: Int
        public var maxSearchResults: Int
        public var maxTextBytes: Int
        public var maxPromptBytes: Int
        public var maxJSONValues: Int
        public var maxJSONDepth: Int
    }

    public struct Batching: Sendable {
        public var maxBatchSize: Int
        public var maxWaitMilliseconds: Int
        public var queueDepth: Int
    }

    public var server: Server
    public var dataDirectory: String
    public var models: Models
    /// Index the embedded default's gallery into an empty collection at start.
    public var seedGallery: Bool
    /// `page.thumbnail_size`: longest side of the thumbnails served to the search page.
    public var thumbnailSize: Int
    public var engineThreads: Int
    /// `engine.gemm`: what linear layers run on.
    public var gemm: GEMMKernel
    /// `engine.precision`: what the linear layers multiply in.
    public var precision: PrecisionChoice
    /// `engine.precision_min_cosine`: the gate a lower precision passes at load.
    public var precisionMinimumCosine: Double
    public var queryCacheEntries: Int
    /// `engine.request_work_threads` (0: every core) and `engine.request_work_queue_depth`.
    public var requestWorkThreads: Int
    public var requestWorkQueueDepth: Int
    /// `engine.decoding_pixels_in_flight`.
    public var decodingPixelsInFlight: Int
    /// `engine.jpeg_dct_scaling`.
    public var jpegDCTScaling: Bool
    public var limits: Limits
    public var batching: Batching
    public var imageURL: ImageURLPolicy
    public var logLevel: String
    /// Only from the environment; `description` never shows it.
    public var adminToken: String?
    /// `PGPASSWORD`, for a `store.postgres.url` without a password; never shown either.
    public var postgresPassword: String?

    /// Every key by dotted path, as resolved (for `--print-config` and tests).
    public let values: [String: ConfigValue]

    init(values: [String: ConfigValue], adminToken: String?) {
        func s(_ k: String) -> String { if case .string(let v) = values[k] { v } else { "" } }
        func i(_ k: String) -> Int { if case .int(let v) = values[k] { v } else { 0 } }
        func d(_ k: String) -> Double { if case .double(let v) = values[k] { v } else { 0 } }
        func path(_ k: String) -> String? { s(k).isEmpty ? nil : s(k) }

        self.values = values
        self.adminToken = adminToken
        server = Server(host: s("server.host"), port: i("server.port"),
                        maxConnections: i("server.max_connections"),
                        shutdownGraceSeconds: d("server.shutdown_grace_seconds"))
        dataDirectory = s("data_dir")
        models = Models(clip: path("models.clip"), zhEncoder: path("models.zh_encoder"), zhAdapter: path("models.zh_adapter"))
        if case .bool(let seed) = values["gallery.seed"] { seedGallery = seed } else { seedGallery = true }
        thumbnailSize = i("page.thumbnail_size")
        engineThreads = i("engine.threads")
        gemm = GEMMKernel(rawValue: s("engine.gemm")) ?? .auto
        precision = PrecisionChoice(rawValue: s("engine.precision")) ?? .fp32
        precisionMinimumCosine = d("engine.precision_min_cosine")
        queryCacheEntries = i("engine.query_cache_entries")
        requestWorkThreads = i("engine.request_work_threads")
        requestWorkQueueDepth = i("engine.request_work_queue_depth")
        decodingPixelsInFlight = i("engine.decoding_pixels_in_flight")
        if case .bool(let scaling) = values["engine.jpeg_dct_scaling"] { jpegDCTScaling = scaling } else { jpegDCTScaling = true }
        limits = Limits(
            maxBodyBytes: i("limits.max_body_bytes"), maxHeaderBytes: i("limits.max_header_bytes"),
            maxHeaderCount: i("limits.max_header_count"), maxRequestLineBytes: i("limits.max_request_line_bytes"),
            headerTimeoutSeconds: d("limits.header_timeout_seconds"), bodyTimeoutSeconds: d("limits.body_timeout_seconds"),
            idleTimeoutSeconds: d("limits.idle_timeout_seconds"), requestTimeoutSeconds: d("limits.request_timeout_seconds"),
            requestReadTimeoutSeconds: d("limits.request_read_timeout_seconds"),
            maxImagePixels: i("limits.max_image_pixels"), maxImagePixelsPerRequest: i("limits.max_image_pixels_per_request"),
            maxJPEGScans: i("limits.max_jpeg_scans"), maxWebPPixelsPerByte: i("limits.max_webp_pixels_per_byte"),
            webPPixelsFreeOfRatio: i("limits.webp_pixels_free_of_ratio"), maxInputsPerRequest: i("limits.max_inputs_per_request"),
            maxLabels: i("limits.max_labels"), maxSearchResults: i("limits.max_search_results"),
            maxTextBytes: i("limits.max_text_bytes"), maxPromptBytes: i("limits.max_prompt_bytes"),
            maxJSONValues: i("limits.max_json_values"), maxJSONDepth: i("limits.max_json_depth"))
        batching = Batching(maxBatchSize: i("batching.max_batch_size"), maxWaitMilliseconds: i("batching.max_wait_ms"),
                            queueDepth: i("batching.queue_depth"))
        logLevel = s("logging.level")
        imageURL = ImageURLPolicy(
            allowedHosts: s("image_url.allowed_hosts").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty },
            maxBytes: i("image_url.max_bytes"), timeoutSeconds: d("image_url.timeout_seconds"),
            maxRedirects: i("image_url.max_redirects"))
    }

    /// One `key = value` line per knob, sorted; the admin token shows only whether it is set, the
    /// store URL is shown without its password.
    public var description: String {
        var lines = values.keys.sorted().map { key in
            if key == "store.postgres.url", case .string(let url) = values[key] { return "\(key) = \(ConfigValue.string(StoreSettings.shown(url: url)))" }
            return "\(key) = \(values[key]!)"
        }
        lines.append("admin_token = \(adminToken == nil ? "(not set)" : "(set)")")
        return lines.joined(separator: "\n")
    }
}
