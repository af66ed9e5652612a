import ArgumentParser
import Imaging
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
            ("GEMM", PreparedWeight.bestAvailableLayout == .packed
                ? "\(PreparedWeight.kernelDescription) for linear layers with engine.gemm = auto; attention on OpenBLAS"
                : "OpenBLAS only (this CPU has neither AVX-512F nor AVX2 with FMA)"),
            ("SQLite", RetrievalLibraries.sqliteVersion),
            ("FAISS", RetrievalLibraries.faissVersion),
            ("libpng", CodecLibraries.libpngVersion),
            ("libwebp", CodecLibraries.libwebpVersion),
        ]
        for (name, version) in rows { print("\(name) \(version)") }
    }
}
