/// The published checkpoint formats `training/convert_checkpoint.py` converts, as named in the
/// `adaptclip.format` key of a converted directory's config.json.
///
/// - `taiyiCLIP`: a BERT trained against a frozen CLIP image tower, stored as
///   `BertForSequenceClassification`: the text feature is the classification logits,
///   `classifier(BertPooler(BERT(ids)))`. A text encoder only (`PublishedTextEncoder`).
/// - `mCLIP`: XLM-R, mean over the sequence's tokens, then `LinearTransformation` into CLIP's text
///   space. A text encoder only (`PublishedTextEncoder`).
/// - `chineseCLIP`: a whole model (`model_type: chinese_clip`) with its own image space, loaded by
///   `CLIPModel.load`.
public enum PublishedFormat: String, Sendable, Equatable, CaseIterable {
    case taiyiCLIP = "taiyi-clip"
    case mCLIP = "m-clip"
    case chineseCLIP = "chinese-clip"

    /// Whether the directory is a text encoder that serves beside a CLIP, rather than a model.
    public var isTextEncoder: Bool { self != .chineseCLIP }
}
