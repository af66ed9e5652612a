import Foundation
import Models
import Numerics
import Testing

/// The parity suites load their models on whatever linear-layer kernel `ADAPTCLIP_ENGINE_GEMM`
/// names (the environment form of `engine.gemm`; `auto` when unset), so that
/// `scripts/parity-per-kernel` can run them once per kernel this CPU has and a result that
/// depends on the kernel shows up wherever CI runs. The choice travels in the options each
/// suite loads with (`ModelLoadOptions.underTest`), never through a process-wide switch.
struct KernelUnderTest: SuiteTrait, TestTrait, TestScoping {
    static let variable = "ADAPTCLIP_ENGINE_GEMM"

    /// Read once per process; a kernel this CPU cannot run fails every suite that asks.
    static let selection: Result<ModelLoadOptions, GEMMKernel.Unavailable> = {
        let name = ProcessInfo.processInfo.environment[variable] ?? "auto"
        guard let kernel = GEMMKernel(rawValue: name) else {
            fatalError("\(variable)=\(name): must be one of \(GEMMKernel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Result { () throws(GEMMKernel.Unavailable) -> ModelLoadOptions in
            _ = try kernel.fp32Layout()
            let options = ModelLoadOptions(gemm: kernel)
            print("kernel under test (\(variable)=\(name)): \(options.kernelReport)")
            return options
        }
    }()

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        _ = try Self.selection.get()
        try await function()
    }
}

extension Trait where Self == KernelUnderTest {
    /// Fails the suite at once when `ADAPTCLIP_ENGINE_GEMM` names a kernel this CPU cannot run.
    static var kernelUnderTest: KernelUnderTest { KernelUnderTest() }
}

extension ModelLoadOptions {
    /// fp32 on the kernel `ADAPTCLIP_ENGINE_GEMM` names: what the parity suites load with (only
    /// under `.kernelUnderTest`, which has checked that this CPU can run it).
    static var underTest: ModelLoadOptions { (try? KernelUnderTest.selection.get()) ?? .standard }

    /// The same kernel, in bf16.
    static var underTestBF16: ModelLoadOptions { ModelLoadOptions(precision: .bf16, gemm: underTest.gemm) }
}
