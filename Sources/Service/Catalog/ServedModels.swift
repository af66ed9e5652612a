import Engine
import Foundation
import Models

/// The models this server answers with: what `/v1/models` lists and what a request's `model`
/// may name. Built from the engine on each call, so a hot-swapped language path shows at once.
enum ServedModels {
    /// What a request's `model` asks for.
    enum Choice: Equatable {
        /// The CLIP (its own text path for text).
        case clip
        /// The language path serving `language`.
        case language(QueryLanguage)
    }

    static func all(_ engine: EmbeddingEngine) -> [ServedModel] {
        let clip = engine.clip
        var models = [ServedModel(
            id: clip.identity.id, created: created(clip.directory), role: .clip, name: clip.identity.name,
            dimension: engine.dimension, languages: [QueryLanguage.en.rawValue],
            space: (try? engine.imageSpace().name) ?? clip.identity.id, producer: engine.textProducer)]
        if let chinese = engine.chinese {
            models.append(ServedModel(
                id: chinese.identity.id, created: created(chinese.directory), role: .baseEncoder, name: chinese.identity.name,
                dimension: chinese.model.hiddenSize, languages: [QueryLanguage.zh.rawValue], space: chinese.identity.id,
                producer: nil))
        }
        if let path = engine.languagePathModel {
            models.append(ServedModel(
                id: path.producer, created: Int(path.since.timeIntervalSince1970), role: .languagePath, name: path.name,
                dimension: engine.dimension, languages: path.languages, space: clip.identity.id, producer: path.producer))
        }
        return models
    }

    /// The choice `model` names, or nil when no model served here has that id (or name).
    static func choice(named model: String, _ engine: EmbeddingEngine) -> Choice? {
        if engine.servesModel(named: model) { return .clip }
        if let path = engine.languagePathModel, model == path.producer || model == path.name { return .language(.zh) }
        return nil
    }

    /// The 404 a request naming an unknown model gets, listing what is served.
    static func unknown(_ model: String, _ engine: EmbeddingEngine) -> APIError {
        let ids = all(engine).filter { $0.role != .baseEncoder }.map(\.id)
        return APIError(
            status: 404, code: "model-not-found", title: "Unknown model",
            detail: "model '\(model)' is not served here; this server serves \(ids.map { "'\($0)'" }.joined(separator: ", ")) (GET /v1/models)",
            field: "model")
    }

    private static func created(_ directory: URL) -> Int {
        let weights = directory.appendingPathComponent("model.safetensors").path
        let date = (try? FileManager.default.attributesOfItem(atPath: weights))?[.modificationDate] as? Date
        return Int(date?.timeIntervalSince1970 ?? 0)
    }
}
