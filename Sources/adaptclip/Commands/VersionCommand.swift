import ArgumentParser
import Imaging
import Models
import Numerics
import Retrieval
import Service

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of adaptclip and of the libraries it is linked against.")

    func run() throws {
        let rows: [(String, String)] = [
            ("adaptclip", ServiceInfo.version),
            ("OpenBLAS", "\(BLASBackend.configuration) (core \(BLASBackend.coreName))"),
            ("CPU", CPUDescription.current.summary),
            ("GEMM", "\(ModelLoadOptions.standard.kernelSummary) (engine.gemm = auto, engine.precision = fp32)"),
            ("bf16", Precision.bf16.isAvailable
                ? "\(ModelLoadOptions(precision: .bf16).kernelSummary) (engine.precision = bf16)"
                : "\(Precision.Unavailable(precision: .bf16))"),
            ("SQLite", RetrievalLibraries.sqliteVersion),
            ("FAISS", RetrievalLibraries.faissVersion),
            ("libpng", CodecLibraries.libpngVersion),
            ("libwebp", CodecLibraries.libwebpVersion),
        ]
        for (name, version) in rows { print("\(name) \(version)") }
    }
}
