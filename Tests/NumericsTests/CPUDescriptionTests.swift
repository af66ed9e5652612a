import Testing
@testable import Numerics

@Suite struct CPUDescriptionTests {
    static let twoProcessors = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Xeon(R) Platinum 8488C
        flags\t\t: fpu sse2 avx2 fma avx512f avx512_bf16 amx_tile amx_bf16 avx512_fp16

        processor\t: 1
        model name\t: Other
        flags\t\t: fpu

        """

    @Test func theFirstProcessorsModelAndKernelFeaturesAreRead() {
        let cpu = CPUDescription(cpuinfo: Self.twoProcessors)
        #expect(cpu.modelName == "Intel(R) Xeon(R) Platinum 8488C")
        #expect(cpu.flags.contains("amx_bf16") && !cpu.flags.contains("avx512_vnni"))
        // Kernel features in a fixed order, the others left out.
        #expect(cpu.kernelFeatureSummary == "avx2 fma avx512f avx512_bf16 avx512_fp16 amx_tile amx_bf16")
        #expect(cpu.summary == "Intel(R) Xeon(R) Platinum 8488C (avx2 fma avx512f avx512_bf16 avx512_fp16 amx_tile amx_bf16)")
    }

    @Test func aMachineWithoutCpuinfoIsSaidToBeUnknown() {
        let cpu = CPUDescription(cpuinfo: "")
        #expect(cpu.modelName == "unknown CPU")
        #expect(cpu.kernelFeatureSummary.hasPrefix("none of avx2"))
    }

    @Test func thisMachineIsNamed() {
        #if os(Linux)
        #expect(CPUDescription.current.modelName != "unknown CPU")
        #expect(PreparedWeight.kernelReport(layout: .bestAvailable).contains(CPUDescription.current.modelName))
        #endif
    }
}
