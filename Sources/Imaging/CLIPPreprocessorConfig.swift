import Foundation

/// The image half of a Hugging Face `preprocessor_config.json` for CLIP or Chinese-CLIP, with
/// `CLIPImageProcessor`'s defaults (transformers 4.57.6, models/clip/image_processing_clip.py)
/// for any key that is absent. Chinese-CLIP's processor (`image_processor_type`
/// `ChineseCLIPImageProcessor`) shares every key and default but one reading, see `Processor`.
public struct CLIPPreprocessorConfig: Sendable, Equatable {
    /// Which transformers image processor the file configures (`image_processor_type`, or
    /// `feature_extractor_type` in files older than image processors).
    ///
    /// They differ only in resizing: `ChineseCLIPImageProcessor.resize`
    /// (models/chinese_clip/image_processing_chinese_clip.py) always resizes to exactly
    /// `size["height"]` × `size["width"]`, ignoring the aspect ratio, and raises `KeyError` on a
    /// `shortest_edge` size (which a bare integer `size` becomes, as does an absent one). A
    /// Chinese-CLIP file gives `{"height", "width"}`, or a bare integer N read as N × N (what the
    /// model was trained on); a `shortest_edge` or absent size is refused rather than read CLIP's
    /// way. `crop_size` (a bare integer is a square) and `do_center_crop`
    /// (the hub's checkpoints ship false: the resize already yields the model's size) read alike.
    public enum Processor: String, Sendable, Equatable {
        case clip
        case chineseCLIP

        /// The type names transformers writes for Chinese-CLIP's processors.
        static let chineseCLIPTypes: Set<String> = [
            "ChineseCLIPImageProcessor", "ChineseCLIPImageProcessorFast", "ChineseCLIPFeatureExtractor",
        ]
    }

    public var processor = Processor.clip
    /// `size`: `{"shortest_edge": n}` (or a bare int, which transformers reads the same way), or
    /// `{"height": h, "width": w}` for a fixed size.
    public enum ResizeTarget: Sendable, Equatable {
        case shortestEdge(Int)
        case fixed(height: Int, width: Int)
    }

    public var doResize = true
    public var size = ResizeTarget.shortestEdge(224)
    public var doCenterCrop = true
    public var cropHeight = 224
    public var cropWidth = 224
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doNormalize = true
    /// OPENAI_CLIP_MEAN / OPENAI_CLIP_STD, transformers' defaults for CLIP.
    public var imageMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Float] = [0.26862954, 0.26130258, 0.27577711]
    /// Always effectively true here: decoding already yields RGB, as `convert_to_rgb` would.
    public var doConvertRGB = true

    /// CLIPImageProcessor's defaults (OpenAI CLIP, 224 px).
    public init() {}

    /// Reads `preprocessor_config.json` from a Hugging Face model directory.
    public init(modelDirectory: URL) throws(ImageError) {
        try self.init(contentsOf: modelDirectory.appendingPathComponent("preprocessor_config.json"))
    }

    public init(contentsOf url: URL) throws(ImageError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .invalidPreprocessorConfig("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    public init(json data: Data) throws(ImageError) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .invalidPreprocessorConfig("not JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else { throw .invalidPreprocessorConfig("top level is not an object") }
        try self.init(dictionary: dict)
    }

    public init(dictionary dict: [String: Any]) throws(ImageError) {
        func bool(_ key: String) throws(ImageError) -> Bool? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            guard let b = v as? Bool else { throw .invalidPreprocessorConfig("\(key) must be true or false") }
            return b
        }
        func positiveInt(_ v: Any, _ key: String) throws(ImageError) -> Int {
            guard let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded(), n.intValue > 0 else {
                throw .invalidPreprocessorConfig("\(key) must be a positive integer")
            }
            return n.intValue
        }
        func triple(_ key: String) throws(ImageError) -> [Float]? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            if let n = v as? NSNumber { return [Float](repeating: n.floatValue, count: 3) }
            guard let list = v as? [NSNumber], list.count == 3 else {
                throw .invalidPreprocessorConfig("\(key) must be a number or a list of 3 numbers")
            }
            return list.map(\.floatValue)
        }

        for key in ["image_processor_type", "feature_extractor_type"] {
            if let name = dict[key] as? String, Processor.chineseCLIPTypes.contains(name) { processor = .chineseCLIP }
        }
        if let v = try bool("do_resize") { doResize = v }
        if let v = try bool("do_center_crop") { doCenterCrop = v }
        if let v = try bool("do_rescale") { doRescale = v }
        if let v = try bool("do_normalize") { doNormalize = v }
        if let v = try bool("do_convert_rgb") { doConvertRGB = v }

        var bareIntegerSize: Int?
        if let v = dict["size"], !(v is NSNull) {
            if v is NSNumber {
                let n = try positiveInt(v, "size")
                bareIntegerSize = n
                size = .shortestEdge(n)
            } else if let d = v as? [String: Any] {
                if let s = d["shortest_edge"] {
                    size = .shortestEdge(try positiveInt(s, "size.shortest_edge"))
                } else if let h = d["height"], let w = d["width"] {
                    size = .fixed(height: try positiveInt(h, "size.height"), width: try positiveInt(w, "size.width"))
                } else {
                    throw .invalidPreprocessorConfig("size must contain shortest_edge or height and width")
                }
            } else {
                throw .invalidPreprocessorConfig("size must be an integer or an object")
            }
        }
        if let v = dict["crop_size"], !(v is NSNull) {
            if v is NSNumber {
                let n = try positiveInt(v, "crop_size")
                (cropHeight, cropWidth) = (n, n)
            } else if let d = v as? [String: Any], let h = d["height"], let w = d["width"] {
                (cropHeight, cropWidth) = (try positiveInt(h, "crop_size.height"), try positiveInt(w, "crop_size.width"))
            } else {
                throw .invalidPreprocessorConfig("crop_size must be an integer or {height, width}")
            }
        }
        if let v = dict["resample"], !(v is NSNull) {
            guard let n = v as? NSNumber, n.intValue == 3, n.doubleValue == 3 else {
                throw .invalidPreprocessorConfig(
                    "resample \(v) is not supported: only 3 (PIL.Image.BICUBIC, CLIP's filter) is implemented")
            }
        }
        if let v = dict["rescale_factor"], !(v is NSNull) {
            guard let n = v as? NSNumber, n.doubleValue.isFinite else {
                throw .invalidPreprocessorConfig("rescale_factor must be a number")
            }
            rescaleFactor = n.doubleValue
        }
        if let v = try triple("image_mean") { imageMean = v }
        if let v = try triple("image_std") { imageStd = v }
        guard imageStd.allSatisfy({ $0 != 0 && $0.isFinite }), imageMean.allSatisfy(\.isFinite) else {
            throw .invalidPreprocessorConfig("image_std must be non-zero and image_mean finite")
        }
        // Chinese-CLIP files written before image processors say `"size": 224`, which the slow
        // processor cannot resize to; the model was trained on images resized to exactly N × N
        // (Chinese-CLIP's own `Resize((N, N))` transform), so that is what a bare N means here.
        if processor == .chineseCLIP, let n = bareIntegerSize { size = .fixed(height: n, width: n) }
        if processor == .chineseCLIP, doResize, case .shortestEdge = size {
            throw .invalidPreprocessorConfig(
                "size must be {\"height\": h, \"width\": w} (or an integer n for n × n) for ChineseCLIPImageProcessor, which "
                    + "resizes to exactly that (a shortest_edge size, or none, fails in transformers)")
        }
    }
}
