import Engine
import Models

/// The 422 of `POST /admin/adapters` for a checkpoint that could not be loaded. An admin path
/// may point at files the client cannot otherwise read, so the detail names the file, the
/// field and the rule broken — `AdapterCheckpointError.redactedDescription` — and never a
/// value read from the checkpoint.
enum AdapterRejection {
    static func problem(_ error: any Error) -> APIError {
        APIError(status: 422, code: "adapter-rejected", title: "Adapter checkpoint rejected", detail: detail(error), field: "path")
    }

    static func detail(_ error: any Error) -> String {
        switch error {
        case let refusal as AdapterCheckpointError:
            return refusal.redactedDescription
        case let refusal as PublishedEncoderRefusal:
            return refusal.redacted
        case EngineError.languageUnavailable(let language, let reason):
            // The server's own configuration, not the checkpoint's.
            return "language '\(language.rawValue)' is unavailable: \(reason)"
        default:
            // Every rule of the format passed; what failed after (building, warming up) is the
            // server's to log, not the checkpoint's content to echo.
            return "the checkpoint passed validation but could not be built (\(type(of: error)))"
        }
    }
}
