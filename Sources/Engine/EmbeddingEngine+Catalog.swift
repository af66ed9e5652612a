import Foundation
import Models

/// The language path as `/v1/models` lists it.
public struct LanguagePathSummary: Sendable {
    /// What the path's vectors say as `producer`; also its model id.
    public let producer: String
    /// As its files declare it.
    public let name: String
    public let languages: [String]
    /// When it was activated.
    public let since: Date
}

extension EmbeddingEngine {
    /// Who produces English text vectors now (the CLIP, plus a domain adapter's text side).
    public var textProducer: String { textProducer(domainAdapters.active) }

    /// The active Chinese path, if one serves.
    public var languagePathModel: LanguagePathSummary? {
        guard let chinese, let lease = languageAdapters.active else { return nil }
        return LanguagePathSummary(
            producer: lease.identity.producer(base: chinese.name, kind: .language), name: lease.identity.name,
            languages: [QueryLanguage.zh.rawValue], since: lease.activatedAt)
    }
}
