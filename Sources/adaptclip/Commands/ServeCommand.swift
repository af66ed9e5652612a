import ArgumentParser
import Service

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (embeddings, classification, search, admin) until SIGTERM/SIGINT.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (server.host).")
    var host: String?

    @Option(help: "TCP port; 0 picks a free one (server.port).")
    var port: Int?

    @Flag(name: .customLong("print-config"), help: "Print the resolved configuration and exit.")
    var printConfig = false

    func run() async throws {
        var extra: [String: String] = [:]
        extra["server.host"] = host
        extra["server.port"] = port.map(String.init)
        let configuration = try common.resolve(extra: extra)
        if printConfig {
            print(configuration)
            return
        }
        ProcessMemory.returnFreedMemoryPromptly()
        try await ServiceRunner.run(configuration: configuration)
    }
}
