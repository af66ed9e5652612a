/// The `ingest.*` keys (validated by their checks, so reading cannot fail here).
struct IngestSettings: Sendable {
    var allowedRoots: [String]
    var maxFileBytes: Int
    var maxJobFiles: Int
    var jobBatchSize: Int
    var batchMaxFiles: Int
    var batchMaxBytes: Int
    var batchMaxPixels: Int
    var maxRunningJobs: Int
    var maxQueuedJobs: Int
}

extension AdaptCLIPConfiguration {
    var ingest: IngestSettings {
        func i(_ key: String, _ fallback: Int) -> Int { if case .int(let v) = values[key] { v } else { fallback } }
        var roots: [String] = []
        if case .list(let items) = values["ingest.allowed_roots"] {
            roots = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        return IngestSettings(
            allowedRoots: roots, maxFileBytes: i("ingest.max_file_bytes", 64 << 20), maxJobFiles: i("ingest.max_job_files", 1_000_000),
            jobBatchSize: i("ingest.job_batch_size", 32), batchMaxFiles: i("ingest.batch_max_files", 64),
            batchMaxBytes: i("ingest.batch_max_bytes", 64 << 20), batchMaxPixels: i("ingest.batch_max_pixels", 400_000_000),
            maxRunningJobs: i("ingest.max_running_jobs", 1), maxQueuedJobs: i("ingest.max_queued_jobs", 100))
    }
}
