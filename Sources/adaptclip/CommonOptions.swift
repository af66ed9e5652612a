import ArgumentParser
import Foundation
import Logging
import Service

/// Flags shared by every subcommand that touches configuration, data or models.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file (see config/README.md).")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Folder for the database, index and stored images.")
    var dataDir: String?

    @Option(name: .long, help: "Hugging Face CLIP model directory (default: the embedded bundle).")
    var model: String?

    @Option(name: .customLong("zh-encoder"), help: "Hugging Face BERT directory for Chinese text, or a converted Taiyi-CLIP / M-CLIP encoder (docs/models.md).")
    var zhEncoder: String?

    @Option(name: .customLong("zh-adapter"), help: "Language adapter checkpoint directory.")
    var zhAdapter: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    /// Flag values as configuration overrides, by dotted key.
    var overrides: [String: String] {
        var out: [String: String] = [:]
        out["data_dir"] = dataDir
        out["models.clip"] = model
        out["models.zh_encoder"] = zhEncoder
        out["models.zh_adapter"] = zhAdapter
        out["logging.level"] = logLevel
        return out
    }

    /// Resolves the configuration (defaults < file < environment < flags) and starts logging.
    func resolve(extra: [String: String] = [:]) throws -> AdaptCLIPConfiguration {
        let loader = ConfigurationLoader(
            fileURL: config.map { URL(fileURLWithPath: $0) },
            environment: ProcessInfo.processInfo.environment,
            overrides: overrides.merging(extra) { _, flag in flag })
        do {
            let resolved = try loader.load()
            ServiceLogging.bootstrap(level: resolved.logLevel)
            let links = loader.ignoredServiceLinks
            if !links.isEmpty {
                Logger(label: "adaptclip").debug("ignored Kubernetes service variables", metadata: ["names": "\(links.joined(separator: ","))"])
            }
            return resolved
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
