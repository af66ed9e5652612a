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

    /// Whether `lang: zh` can be answered: a language path serves, or the CLIP's own text tower
    /// reads Chinese (Chinese-CLIP).
    public var servesChinese: Bool { clip.model.textTower == .bert || languagePaths.active != nil }

    /// The active Chinese path, if one serves.
    public var languagePathModel: LanguagePathSummary? {
        guard let lease = languagePaths.active else { return nil }
        switch lease.adapter {
        case .adapter:
            guard let chinese else { return nil }
            return LanguagePathSummary(
                producer: lease.identity.producer(base: chinese.name, kind: .language), name: lease.identity.name,
                languages: lease.adapter.languages, since: lease.activatedAt)
        case .encoder(let encoder):
            return LanguagePathSummary(
                producer: encoder.identity.id, name: encoder.identity.name, languages: encoder.languages, since: lease.activatedAt)
        }
    }
}
