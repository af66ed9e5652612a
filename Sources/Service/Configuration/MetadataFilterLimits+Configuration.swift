import Retrieval

extension AdaptCLIPConfiguration {
    /// How large a search `filter` may be, from the `limits.max_filter_*` keys.
    public var filterLimits: MetadataFilterLimits {
        var limits = MetadataFilterLimits.default
        if case .int(let v) = values["limits.max_filter_keys"] { limits.maxKeys = v }
        if case .int(let v) = values["limits.max_filter_key_bytes"] { limits.maxKeyBytes = v }
        if case .int(let v) = values["limits.max_filter_value_bytes"] { limits.maxValueBytes = v }
        return limits
    }
}
