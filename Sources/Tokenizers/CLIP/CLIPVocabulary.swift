import Foundation

/// `vocab.json` + `merges.txt` of a CLIP checkpoint, read the way transformers' `CLIPTokenizer`
/// reads them (`models/clip/tokenization_clip.py`, `__init__`), then turned into the integer
/// tables `BytePairEncoder` runs on.
struct CLIPVocabulary: Sendable {
    /// CLIPTokenizer keeps `lines[1 : 49152 - 256 - 2 + 1]` of merges.txt: the first line is the
    /// `#version` header and OpenAI's BPE has 48,894 merges. Files with more lines are cut the same
    /// way so the ids stay identical to the reference loaded from the same files.
    static let maximumMerges = 49152 - 256 - 2

    let tokenToID: [String: Int]
    let encoder: BytePairEncoder

    static func load(vocabURL: URL, mergesURL: URL, unknownToken: String, cacheLimits: WordCache.Limits)
        throws(TokenizerError) -> CLIPVocabulary
    {
        let tokenToID = try loadVocab(vocabURL)
        let unknownID = tokenToID[unknownToken]
        // A byte without a vocabulary entry becomes the unknown token, as in tokenizers' BPE.
        func byteID(_ spelling: String) throws(TokenizerError) -> Int {
            if let id = tokenToID[spelling] ?? unknownID { return id }
            throw .malformed(file: vocabURL.path, reason: "no entry for byte symbol \"\(spelling)\" and no unknown token")
        }
        var byteIDs: [Int] = []
        var endOfWordByteIDs: [Int] = []
        for byte in 0...255 {
            let symbol = ByteLevelAlphabet.symbol(for: UInt8(byte))
            byteIDs.append(try byteID(symbol))
            endOfWordByteIDs.append(try byteID(symbol + "</w>"))
        }
        let merges = try loadMerges(mergesURL, tokenToID: tokenToID)
        let encoder = BytePairEncoder(
            byteIDs: byteIDs, endOfWordByteIDs: endOfWordByteIDs, merges: merges, cacheLimits: cacheLimits)
        return CLIPVocabulary(tokenToID: tokenToID, encoder: encoder)
    }

    /// Token strings are compared as Swift `String`s, which treat canonically equivalent spellings
    /// as equal. That is exact here: byte-level symbols contain no combining characters, so no two
    /// distinct entries can be canonically equivalent.
    private static func loadVocab(_ url: URL) throws(TokenizerError) -> [String: Int] {
        let data = try TokenizerFile.read(url)
        let vocab: [String: Int]
        do {
            vocab = try JSONDecoder().decode([String: Int].self, from: data)
        } catch {
            throw .malformed(file: url.path, reason: "expected a JSON object of token -> id: \(error)")
        }
        if vocab.isEmpty { throw .malformed(file: url.path, reason: "empty vocabulary") }
        if let negative = vocab.first(where: { $0.value < 0 || $0.value > Int(Int32.max) }) {
            throw .malformed(file: url.path, reason: "token \"\(negative.key)\" has id \(negative.value)")
        }
        return vocab
    }

    private static func loadMerges(_ url: URL, tokenToID: [String: Int]) throws(TokenizerError)
        -> [UInt64: BytePairEncoder.Merge]
    {
        let text = try TokenizerFile.utf8Text(try TokenizerFile.read(url), file: url)
        // `.strip().split("\n")[1:...]`: the header line is dropped whatever it holds.
        let lines = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .dropFirst().prefix(maximumMerges)
        var merges: [UInt64: BytePairEncoder.Merge] = [:]
        merges.reserveCapacity(lines.count)
        for (rank, line) in lines.enumerated() {
            let lineNumber = rank + 2
            let parts = line.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2 else {
                throw .malformed(file: url.path, reason: "line \(lineNumber): expected two symbols, found \"\(line)\"")
            }
            let left = String(parts[0])
            let right = String(parts[1])
            guard let leftID = tokenToID[left], let rightID = tokenToID[right],
                let resultID = tokenToID[left + right]
            else {
                throw .malformed(
                    file: url.path, reason: "line \(lineNumber): merge \"\(line)\" uses or makes a token missing from vocab.json")
            }
            let key = BytePairEncoder.pairKey(leftID, rightID)
            // Like a Python dict built in file order, a repeated pair keeps its first rank.
            if merges[key] == nil {
                merges[key] = BytePairEncoder.Merge(rank: Int32(rank), result: Int32(resultID))
            }
        }
        return merges
    }
}
