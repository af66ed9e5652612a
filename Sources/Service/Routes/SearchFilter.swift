import Retrieval

/// The `filter` member of `POST /v1/search`: metadata keys matched exactly, checked against
/// `limits.max_filter_*` before any SQL exists. Every refusal is a 400 naming `filter` (the
/// object, or a key too odd to quote) or `filter.<key>` (that key's value).
enum SearchFilter {
    static func read(_ reader: FieldReader, limits: MetadataFilterLimits) throws(APIError) -> MetadataFilter {
        guard let object = try reader.object("filter") else { return [:] }
        // Counted before anything is built from the members.
        guard object.members.count <= limits.maxKeys else {
            throw problem(.tooManyKeys(count: object.members.count, limit: limits.maxKeys))
        }
        let filter = object.members
        do {
            try MetadataFilterRules.check(filter, limits: limits)
        } catch {
            throw problem(error)
        }
        return filter
    }

    static func problem(_ refusal: MetadataFilterRefusal) -> APIError {
        APIError.invalidField(refusal.member, refusal.description)
    }
}
