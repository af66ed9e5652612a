import ArgumentParser
import Engine
import Foundation
import Service

struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Zero-shot classify images against labels; print labels ranked with score and probability.",
        discussion: "One JSON line per image: {\"image\": path, \"labels\": [{\"label\", \"score\", \"probability\"}, ...]}.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Candidate labels.")
    var labels: [String] = []

    @Option(help: "Prompt template with {} for the label (default: \"a photo of a {}.\" or \"一张{}的照片。\").")
    var template: String?

    @Option(help: "Label language: auto, en, zh or zh-raw.")
    var lang: String = "auto"

    @Argument(help: "Image files.")
    var images: [String] = []

    func run() async throws {
        let configuration = try common.resolve()
        guard !labels.isEmpty, !images.isEmpty else { throw ValidationError("give --labels and at least one image") }
        guard let requested = QueryLanguage(rawValue: lang) else {
            throw ValidationError("--lang must be one of \(QueryLanguage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let template, !template.contains("{}") { throw ValidationError("--template must contain {}") }
        let engine = try EngineFactory.make(configuration: configuration).engine
        let deadline = ContinuousClock.now + .seconds(configuration.limits.requestTimeoutSeconds * Double(images.count + 1))
        let language = LanguageRouter.resolve(requested, text: labels.joined(separator: " "))
        let chosen = template ?? (language == .en ? "a photo of a {}." : "一张{}的照片。")
        let prompts = try await engine.embedTexts(
            labels.map { chosen.replacingOccurrences(of: "{}", with: $0) }, language: language, deadline: deadline)
        var failures = 0
        for path in images {
            do {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
                let image = try await engine.embedImages([data], deadline: deadline)[0]
                let ranked = ZeroShotRanking.rank(
                    labels: labels, prompts: prompts.map(\.vector), image: image, logitScale: engine.logitScale
                ).map { ["label": $0.label, "score": Double($0.score), "probability": Double($0.probability)] as [String: Any] }
                JSONLines.printObject(["image": path, "lang": language.rawValue, "template": chosen, "labels": ranked])
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
