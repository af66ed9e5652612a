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

    @Option(help: ArgumentHelp(
        "A learned prompt checkpoint directory (kind \"prompt\") instead of a template.",
        discussion: "Labels are English class names; without --labels, the checkpoint's task labels."))
    var prompt: String?

    @Argument(help: "Image files.")
    var images: [String] = []

    func run() async throws {
        let configuration = try common.resolve()
        if let prompt { return try await classify(withPromptAt: prompt, configuration: configuration) }
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

    /// As `/v1/classify` with `prompt`: the checkpoint is validated against the loaded CLIP
    /// (refused with the loader's precise error), its class features replace the template's.
    private func classify(withPromptAt directory: String, configuration: AdaptCLIPConfiguration) async throws {
        guard template == nil else { throw ValidationError("--prompt replaces the template: give one of --prompt, --template") }
        guard lang == "auto" || lang == QueryLanguage.en.rawValue else {
            throw ValidationError("a learned prompt reads English class names: --lang must be auto or en")
        }
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        let engine = try EngineFactory.make(configuration: configuration).engine
        let prompt = try engine.loadPrompt(directory: URL(fileURLWithPath: directory))
        engine.activate(prompt)
        guard let entry = engine.prompts.registry.entry(named: prompt.manifest.name) else { throw ExitCode(1) }
        let classes = labels.isEmpty ? (entry.prompt.manifest.task?.labels ?? []) : labels
        guard !classes.isEmpty else { throw ValidationError("give --labels: the checkpoint names no task labels") }
        let deadline = ContinuousClock.now + .seconds(configuration.limits.requestTimeoutSeconds * Double(images.count + 1))
        var failures = 0
        for path in images {
            do {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
                let result = try await engine.classify(image: data, labels: classes, prompt: entry, deadline: deadline)
                let ranked = ZeroShotRanking.rank(
                    labels: classes, prompts: result.classes, image: result.image, logitScale: engine.logitScale
                ).map { ["label": $0.label, "score": Double($0.score), "probability": Double($0.probability)] as [String: Any] }
                JSONLines.printObject([
                    "image": path, "lang": QueryLanguage.en.rawValue, "prompt": "\(entry.identity)", "labels": ranked,
                ])
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
