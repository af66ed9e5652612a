import Foundation

/// Where `adaptclip` finds a model when none is configured.
///
/// Until the demo bundle exists (models/demo, trained by the project's own pipeline), the
/// default is the tiny *random* test CLIP from Tests/Fixtures/engine: it proves the plumbing,
/// not the semantics, and `/readyz` and the start-up log say so.
public struct EmbeddedDefault: Sendable {
    public let clipDirectory: URL
    /// Shown in `/readyz` and logs.
    public let label: String
    /// True for a model whose outputs carry no meaning (random weights).
    public let isTestModel: Bool

    /// Looks next to the executable first (an installed layout: bin/../models/demo), then in the
    /// source tree the binary was built from (a developer's checkout, `make serve`).
    public static func locate(executable: URL = URL(fileURLWithPath: CommandLine.arguments[0])) -> EmbeddedDefault? {
        let sourceRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let installRoot = executable.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        let fileManager = FileManager.default
        for root in [installRoot, sourceRoot] {
            let demo = root.appendingPathComponent("models/demo/clip")
            if fileManager.fileExists(atPath: demo.appendingPathComponent("config.json").path) {
                return EmbeddedDefault(clipDirectory: demo, label: "demo bundle (models/demo)", isTestModel: false)
            }
        }
        let test = sourceRoot.appendingPathComponent("Tests/Fixtures/engine/tiny-clip")
        if fileManager.fileExists(atPath: test.appendingPathComponent("config.json").path) {
            return EmbeddedDefault(
                clipDirectory: test,
                label: "TEST MODEL: tiny random CLIP (Tests/Fixtures/engine/tiny-clip) — answers are not meaningful",
                isTestModel: true)
        }
        return nil
    }
}
