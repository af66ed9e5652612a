import Foundation
import Numerics
import Testing

/// The parity suites run on whatever linear-layer kernel `ADAPTCLIP_ENGINE_GEMM` names (the
/// environment form of `engine.gemm`; `auto` when unset), so that `scripts/parity-per-kernel`
/// can run them once per kernel this CPU has and a result that depends on the kernel shows up
/// wherever CI runs. Models load after the trait has selected, so every weight takes its layout.
struct KernelUnderTest: SuiteTrait, TestTrait, TestScoping {
    static let variable = "ADAPTCLIP_ENGINE_GEMM"

    /// Selected once per process; a kernel this CPU cannot run fails every suite that asks.
    static let selection: Result<String, GEMMKernel.Unavailable> = {
        let name = ProcessInfo.processInfo.environment[variable] ?? "auto"
        guard let kernel = GEMMKernel(rawValue: name) else {
            fatalError("\(variable)=\(name): must be one of \(GEMMKernel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Result { () throws(GEMMKernel.Unavailable) -> String in
            try kernel.select()
            let report = "kernel under test (\(variable)=\(name)): \(PreparedWeight.kernelReport)"
            print(report)
            return report
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
    /// Runs the suite on the kernel `ADAPTCLIP_ENGINE_GEMM` names.
    static var kernelUnderTest: KernelUnderTest { KernelUnderTest() }
}
