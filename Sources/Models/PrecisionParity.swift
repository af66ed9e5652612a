import Foundation
import Numerics

/// The gate a model loaded in a lower precision (bf16) passes before it serves: on a fixed set of
/// images and texts, every image and text feature keeps a cosine of at least `minimumCosine` to
/// the same model's features in fp32.
///
/// Cosine is what retrieval and zero-shot ranking read, so it is what the gate bounds. The fp32
/// twin must be loaded beside the candidate (from the same directory, `ModelLoadOptions.standard`)
/// for the check: packing for bf16 keeps no fp32 copy of the weights. Free it afterwards.
public struct PrecisionParity: Sendable, Equatable, CustomStringConvertible {
    /// The default gate (`engine.precision_min_cosine`). bf16 rounds each input of a product by
    /// up to 2⁻⁹ relative; over a 12-layer ViT-B/32 that leaves features at cosine ≈ 0.9999 to
    /// fp32. 0.999 leaves a tenfold margin for deeper or wider models while still failing a
    /// broken kernel or layout, which lands far lower.
    public static let minimumCosine = 0.999

    /// The lowest cosine of any image's features to its reference.
    public let worstImageCosine: Double
    /// The lowest cosine of any text's features to its reference.
    public let worstTextCosine: Double
    public let images: Int
    public let texts: Int

    public var worstCosine: Double { min(worstImageCosine, worstTextCosine) }
    /// Whether it passes the default gate.
    public var passes: Bool { passes(minimumCosine: Self.minimumCosine) }

    /// Whether every image and text feature keeps at least `minimumCosine` to its reference.
    public func passes(minimumCosine: Double) -> Bool { worstCosine >= minimumCosine }

    public var description: String {
        "worst cosine \(worstCosine) (images \(worstImageCosine) over \(images), texts \(worstTextCosine) over \(texts)); "
            + "gate \(Self.minimumCosine): \(passes ? "passes" : "fails")"
    }

    /// Features of `candidate` against `reference` (same configuration, e.g. the bf16 load and the
    /// fp32 load of one directory) on `inputs`, by default `Inputs.standard`.
    public static func measure(candidate: CLIPModel, reference: CLIPModel, inputs: Inputs? = nil) throws -> PrecisionParity {
        guard candidate.configuration == reference.configuration else {
            throw ModelError.invalidInput("the candidate and reference models have different configurations")
        }
        let inputs = inputs ?? Inputs.standard(for: reference.configuration)
        let imageCosine = worstCosine(
            try candidate.encodeImages(pixels: inputs.pixels, count: inputs.images),
            try reference.encodeImages(pixels: inputs.pixels, count: inputs.images))
        let textCosine = worstCosine(
            try candidate.encodeTexts(tokenIDs: inputs.tokenIDs), try reference.encodeTexts(tokenIDs: inputs.tokenIDs))
        return PrecisionParity(
            worstImageCosine: imageCosine, worstTextCosine: textCosine, images: inputs.images, texts: inputs.tokenIDs.count)
    }

    /// The lowest row-by-row cosine of two [rows, width] feature matrices (1 for none), in Double.
    static func worstCosine(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape && a.rank == 2, "feature matrices of one shape")
        let width = a.shape[1]
        var worst = 1.0
        for r in 0..<a.shape[0] {
            var (dot, na, nb) = (0.0, 0.0, 0.0)
            for i in (r * width)..<((r + 1) * width) {
                let (x, y) = (Double(a.scalars[i]), Double(b.scalars[i]))
                dot += x * y
                na += x * x
                nb += y * y
            }
            // Two zero vectors agree; one zero vector against another vector does not.
            let cosine = na == 0 && nb == 0 ? 1 : dot / max((na * nb).squareRoot(), .leastNormalMagnitude)
            worst = min(worst, cosine)
        }
        return worst
    }

    /// What the features are compared on.
    public struct Inputs: Sendable {
        /// [images, channels, size, size], as `CLIPImageProcessor` hands them over.
        public let pixels: [Float]
        public let images: Int
        /// One text per array, within the vocabulary and the position limit.
        public let tokenIDs: [[Int]]

        public init(pixels: [Float], images: Int, tokenIDs: [[Int]]) {
            self.pixels = pixels
            self.images = images
            self.tokenIDs = tokenIDs
        }

        /// Eight images and eight texts, the same on every run: images of smooth gradients and
        /// stripes with noise, in the range normalised pixels take (about −1.8 ... 2.1), and texts
        /// [BOS, tokens, EOS] (a BERT tower: tokens only) from 2 tokens up to the position limit.
        public static func standard(for c: CLIPConfiguration) -> Inputs {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func uniform() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24)
            }
            let (images, size, channels) = (8, c.vision.imageSize, c.vision.numChannels)
            var pixels: [Float] = []
            pixels.reserveCapacity(images * channels * size * size)
            for image in 0..<images {
                let frequency = Float(image + 1) * 0.7 / Float(size)
                for channel in 0..<channels {
                    let phase = Float(channel) * 1.3 + Float(image)
                    for y in 0..<size {
                        for x in 0..<size {
                            let stripes = sinf(2 * .pi * frequency * Float(x + 2 * y) + phase)
                            let gradient = Float(y) / Float(max(1, size - 1)) - 0.5
                            pixels.append(0.15 + 0.9 * stripes + 0.8 * gradient + 0.35 * (uniform() - 0.5))
                        }
                    }
                }
            }
            let limit = c.text.maxPositionEmbeddings
            let lengths = [2, 3, 5, 8, 13, 21, 34, 77].map { min($0, limit) }
            func ordinaryTokens(_ count: Int, from ordinary: [Int]) -> [Int] {
                (0..<max(0, count)).map { _ in ordinary[Int(uniform() * Float(ordinary.count)) % ordinary.count] }
            }
            let tokenIDs: [[Int]]
            if let t = c.text.clip {
                let ordinary = (0..<t.vocabSize).filter { $0 != t.bosTokenID && $0 != t.eosTokenID }
                tokenIDs = lengths.map { length in
                    [t.bosTokenID] + ordinaryTokens(length - 2, from: ordinary) + (length >= 2 ? [t.eosTokenID] : [])
                }
            } else {
                // A BERT tower's [CLS] and [SEP] are ids of its vocabulary, not of its config: any ids do.
                let ordinary = Array(0..<c.text.vocabSize)
                tokenIDs = lengths.map { ordinaryTokens($0, from: ordinary) }
            }
            return Inputs(pixels: pixels, images: images, tokenIDs: tokenIDs)
        }
    }
}
