extension AdaptCLIPConfiguration {
    /// `limits.max_embedding_inputs`.
    public var maxEmbeddingInputs: Int {
        if case .int(let v) = values["limits.max_embedding_inputs"] { return v }
        return 2048
    }

    /// `cors.allowed_origins` (validated by its key's check).
    var cors: CORSPolicy {
        guard case .list(let items) = values["cors.allowed_origins"] else { return CORSPolicy(allowedOrigins: []) }
        return CORSPolicy(allowedOrigins: items.compactMap { if case .string(let s) = $0 { s } else { nil } })
    }

    /// `auth.api_keys` (validated by its key's check, so parsing cannot fail here).
    var apiKeys: [APIKeyEntry] {
        guard let value = values["auth.api_keys"], case .success(let entries) = APIKeyEntry.parseAll(value) else { return [] }
        return entries
    }
}
