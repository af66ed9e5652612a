/// tokenizers' `Precompiled` normaliser: SentencePiece's compiled rules (nmt_nfkc for XLM-R)
/// applied as tokenizers applies them, which is not how SentencePiece itself does.
///
/// For each extended grapheme cluster (Swift's `Character` is one, like `unicode-segmentation`'s
/// `graphemes(true)`): when the cluster is shorter than 6 UTF-8 bytes and some key of the map is
/// a prefix of it, the WHOLE cluster becomes the replacement of the shortest such key (so `ａ`
/// followed by a combining mark becomes `a` and the mark is gone). Otherwise each scalar alone is
/// looked up the same way and kept unchanged when no key matches. tokenizers documents this as
/// deliberate: it is what matches XLM-R, mBART and Marian on XNLI.
struct PrecompiledNormalizer: Sendable {
    /// The cluster length, in UTF-8 bytes, below which a cluster is looked up whole.
    static let wholeClusterByteLimit = 6

    let charsMap: PrecompiledCharsMap

    func normalize(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for cluster in text {
            let bytes = Array(String(cluster).utf8)
            if bytes.count < Self.wholeClusterByteLimit, let replacement = charsMap.shortestPrefixReplacement(bytes) {
                output.append(contentsOf: replacement)
                continue
            }
            for scalar in cluster.unicodeScalars {
                var scalarBytes: [UInt8] = []
                UTF8.encode(scalar) { scalarBytes.append($0) }
                output.append(contentsOf: charsMap.shortestPrefixReplacement(scalarBytes) ?? scalarBytes[...])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
