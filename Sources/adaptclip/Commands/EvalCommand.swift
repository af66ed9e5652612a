import ArgumentParser
import Foundation
import Service

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Zero-shot accuracy (en, zh-raw, zh prompts) and text→image recall (en, zh-raw, zh captions) on a labelled split.",
        discussion: """
            The split is a folder with captions.jsonl, prompts.json and the images (see \
            training/world). With --check the command fails (exit 1) unless zh reaches 0.95 × en \
            on every task and on retrieval mean recall.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Labelled split folder (default: the demo bundle's test split).")
    var split: String?

    @Option(help: "Use only the first N scenes.")
    var limit: Int?

    @Flag(help: "Fail unless the adapter keeps ≥ 95% of English on every figure.")
    var check = false

    @Option(help: "Fail unless every figure agrees with this reference evaluation (the PyTorch pipeline's JSON, training/evaluate_demo.py).")
    var compare: String?

    @Option(help: "Allowed difference from --compare, in percentage points.")
    var tolerance = 0.5

    func run() async throws {
        let configuration = try common.resolve()
        guard let folder = split ?? EmbeddedDefault.locate()?.evaluationSplit?.path else {
            throw ValidationError("no --split given and the embedded default has no evaluation split")
        }
        let set = try EvaluationSet.load(directory: URL(fileURLWithPath: folder), limit: limit)
        let engine = try EngineFactory.make(configuration: configuration).engine
        let result = try await Evaluation.run(set, engine: engine)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        var failed = false
        if check {
            let problems = result.violations()
            for problem in problems { FileHandle.standardError.write(Data("bound violated: \(problem)\n".utf8)) }
            failed = failed || !problems.isEmpty
        }
        if let compare {
            let reference = try JSONDecoder().decode(Evaluation.self, from: Data(contentsOf: URL(fileURLWithPath: compare)))
            let problems = result.disagreements(with: reference, tolerancePoints: tolerance)
            let ours = result.figures, theirs = reference.figures
            let largest = ours.map { key, value in abs(value - (theirs[key] ?? value)) }.max() ?? 0
            FileHandle.standardError.write(Data(
                "agreement with \(compare): \(ours.count) figures, largest difference \(String(format: "%.3f", largest * 100)) points\n".utf8))
            for problem in problems { FileHandle.standardError.write(Data("disagreement: \(problem)\n".utf8)) }
            failed = failed || !problems.isEmpty
        }
        if failed { throw ExitCode(1) }
    }
}
