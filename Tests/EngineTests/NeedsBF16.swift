import Numerics
import Testing

extension Trait where Self == ConditionTrait {
    /// For tests that run bf16 products: skipped, saying why, on a CPU without AVX512-BF16
    /// (rather than passing without having run).
    static var needsBF16: Self {
        .enabled(if: Precision.bf16.isAvailable, "bf16 needs AVX512-BF16 (AMD Zen 4, Intel Cooper Lake, Sapphire Rapids or later), which this CPU lacks")
    }
}
