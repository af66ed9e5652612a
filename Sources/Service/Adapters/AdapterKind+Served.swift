import Engine
import Models

extension AdapterKind {
    /// The service's type for this kind: the one switch a new kind adds a case to.
    var served: any ServedAdapter.Type {
        switch self {
        case .language: LanguagePath.self
        case .domain: DomainAdapter.self
        case .prompt: LearnedPrompt.self
        }
    }
}
