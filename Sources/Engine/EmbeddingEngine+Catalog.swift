import Foundation
import Models
import Tokenizers

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
        guard let lease = languagePaths.active, let producer = chineseReader(of: lease)?.producer else { return nil }
        return LanguagePathSummary(
            producer: producer, name: lease.identity.name, languages: lease.adapter.languages, since: lease.activatedAt)
    }

    /// What a Chinese-path activation's vectors are named by (`producer`, also the path's model
    /// id) and the tokenizer its texts are read with: the frozen encoder's for a trained adapter
    /// (nil when none is loaded), the encoder's own for a published one.
    func chineseReader(of lease: AdapterSlot<LanguagePath>.Lease) -> (producer: String, tokenizer: any TextTokenizer)? {
        switch lease.adapter {
        case .adapter:
            guard let chinese else { return nil }
            return (lease.identity.producer(base: chinese.name, kind: .language), chinese.tokenizer)
        case .encoder(let encoder):
            return (encoder.identity.id, encoder.tokenizer)
        }
    }
}
