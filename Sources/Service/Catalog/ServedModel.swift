import Foundation

/// One model as `/v1/models` lists it: OpenAI's model object (`id`, `object`, `created`,
/// `owned_by`) plus what a client needs to use it here.
struct ServedModel: Encodable, Sendable {
    /// What the model does in this server.
    enum Role: String, Encodable, Sendable {
        /// The CLIP: images and English text into the joint space (Chinese too for Chinese-CLIP).
        case clip
        /// A text path into the CLIP's text space for other languages: a trained adapter over a
        /// frozen encoder, or a published encoder with its own projection.
        case languagePath = "language-path"
        /// A frozen encoder a language adapter reads (its vectors are not in the joint space).
        case baseEncoder = "base-encoder"
    }

    let id: String
    let object = "model"
    /// Unix seconds when the weights file was written.
    let created: Int
    let owned_by = "adaptclip"
    let role: Role
    /// As the model's files declare it.
    let name: String
    /// Length of the vectors it produces.
    let dimension: Int
    /// Languages of text it embeds; `lang` values that route to it.
    let languages: [String]
    /// The embedding space its vectors live in: the image space of the index for the CLIP, the
    /// CLIP's id for text paths into it.
    let space: String
    /// What `producer` in `/v1/embeddings` and `/v1/search` answers says for its vectors.
    let producer: String?
}
