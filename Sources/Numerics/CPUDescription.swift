import Foundation

/// The processor this process runs on, as `/proc/cpuinfo` names it, and the instruction-set
/// features the math kernels choose by. Logged at listen and printed by `adaptclip version`, so
/// every figure and every report can say which CPU it came from: machines of one kind vary
/// (AMD Zen 4, Intel Sapphire Rapids…) and so do the kernels that run on them.
public struct CPUDescription: Sendable, Equatable {
    /// "model name" of the first processor, or "unknown CPU" where there is none.
    public let modelName: String
    /// Every flag the kernel reports for the first processor.
    public let flags: Set<String>

    /// The features that decide a kernel here (packed GEMM micro-kernels, and the bf16 / AMX
    /// units later precisions use), in a fixed order.
    public static let kernelFeatures = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "avx512_vnni", "amx_tile", "amx_bf16"]

    public static let current = CPUDescription(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")

    /// Parses the text of `/proc/cpuinfo` (its first processor block).
    public init(cpuinfo: String) {
        var model: String?
        var flags: Set<String> = []
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty, model != nil || !flags.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "model name", model == nil { model = value }
            if key == "flags", flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
        }
        modelName = model ?? "unknown CPU"
        self.flags = flags
    }

    /// The kernel-relevant features this CPU has, e.g. "avx2 fma avx512f avx512_bf16".
    public var kernelFeatureSummary: String {
        let present = Self.kernelFeatures.filter(flags.contains)
        return present.isEmpty ? "none of \(Self.kernelFeatures.joined(separator: " "))" : present.joined(separator: " ")
    }

    /// "AMD EPYC (avx2 fma avx512f avx512_bf16 avx512_vnni)".
    public var summary: String { "\(modelName) (\(kernelFeatureSummary))" }
}
