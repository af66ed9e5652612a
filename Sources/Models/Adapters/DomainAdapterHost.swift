import JSON
/// The loaded CLIP a domain adapter must fit (Python: `LoadedCLIP` in
/// training/adaptclip_training/domain_checkpoint.py): its configured id, projection dim, and
/// each encoder's width and depth.
public struct DomainAdapterHost: Sendable, Equatable {
    public var clipID: String
    public var projectionDim: Int
    public var visionWidth: Int
    public var visionLayers: Int
    public var textWidth: Int
    public var textLayers: Int
    /// A text side's bottlenecks sit beside CLIP's text MLPs: a BERT text tower refuses one.
    public var textTower: CLIPTextTower

    public init(
        clipID: String, projectionDim: Int, visionWidth: Int, visionLayers: Int, textWidth: Int, textLayers: Int,
        textTower: CLIPTextTower = .clip
    ) {
        self.clipID = clipID
        self.projectionDim = projectionDim
        self.visionWidth = visionWidth
        self.visionLayers = visionLayers
        self.textWidth = textWidth
        self.textLayers = textLayers
        self.textTower = textTower
    }

    /// The host formed by a loaded CLIP under its configured id.
    public init(clip: CLIPModel, clipID: String) {
        let c = clip.configuration
        self.init(
            clipID: clipID, projectionDim: c.projectionDim, visionWidth: c.vision.hiddenSize,
            visionLayers: c.vision.numHiddenLayers, textWidth: c.text.hiddenSize, textLayers: c.text.numHiddenLayers,
            textTower: c.text.tower)
    }

    /// Against the loaded CLIP, in this order: clip.id, clip.projection_dim, then per side
    /// (vision, text) its width and each layer index in the manifest's order; a text side on a
    /// BERT text tower (Chinese-CLIP) is refused before its width is compared.
    public func check(_ manifest: DomainAdapterManifest) throws(AdapterCheckpointError) {
        let checks: [(String, JSONValue, JSONValue, String)] = [
            ("clip.id", .string(manifest.clip.id), .string(clipID), "the loaded CLIP model's id"),
            ("clip.projection_dim", .integer(manifest.clip.projectionDim), .integer(projectionDim),
             "the loaded CLIP model's projection_dim"),
        ]
        for (field, found, expected, what) in checks where found != expected {
            throw .mismatch(field, found: found, expected: expected, what: what)
        }
        for tower in DomainAdapterArchitecture.Tower.allCases {
            guard let side = manifest.architecture.side(tower) else { continue }
            let (width, depth) = tower == .vision ? (visionWidth, visionLayers) : (textWidth, textLayers)
            let name = tower.rawValue
            if tower == .text, textTower != .clip {
                throw .manifest(
                    "architecture.text", "the loaded model's text tower is a BERT, which has no place for a text side (CLIP's text MLPs)",
                    requirement: "must be absent: the loaded model's text tower is a BERT; only vision-side domain adapters fit it")
            }
            guard side.width == width else {
                throw .manifest(
                    "architecture.\(name).width", "\(side.width) does not match the loaded CLIP model's \(name) hidden_size (\(width))",
                    requirement: "must match the loaded CLIP model's \(name) hidden_size (\(width))")
            }
            if let layer = side.layers.first(where: { $0 >= depth }) {
                throw .manifest(
                    "architecture.\(name).layers",
                    "layer \(layer) is out of range for the loaded CLIP model's \(name) encoder (\(depth) layers)",
                    requirement: "must list layers below the loaded CLIP model's \(name) encoder depth (\(depth) layers)")
            }
        }
    }
}
