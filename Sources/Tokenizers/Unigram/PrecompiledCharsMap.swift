/// SentencePiece's compiled normalisation rules (`precompiled_charsmap` of a model's
/// `normalizer_spec`, base64 in tokenizer.json), read as the `spm_precompiled` crate reads them.
///
/// Layout: a little-endian `UInt32` byte size of the trie, the trie (a Darts-clone double array
/// of little-endian `UInt32` units keyed by UTF-8 bytes), then the replacement strings, each
/// ended by a NUL. A key's value is the byte offset of its replacement in that blob.
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    init(_ bytes: [UInt8]) throws(PrecompiledCharsMapError) {
        guard bytes.count >= 4 else { throw .tooShort }
        let trieBytes = Int(Self.littleEndianUnit(bytes, at: 0))
        // The crate reads `trieBytes / 4` units; a blob shorter than that is unreadable.
        let unitCount = trieBytes / 4
        guard unitCount >= 1, 4 + unitCount * 4 <= bytes.count else { throw .trieExceedsData(trieBytes: trieBytes) }
        units = (0..<unitCount).map { Self.littleEndianUnit(bytes, at: 4 + $0 * 4) }
        replacements = Array(bytes[(4 + unitCount * 4)...])
        // The crate keeps the blob as a Rust `String`: it must be UTF-8.
        guard Self.isValidUTF8(replacements) else { throw .replacementsNotUTF8 }
    }

    /// The replacement of the SHORTEST key that is a prefix of `key` (the crate's `transform`:
    /// the first result of a common-prefix search). A NUL byte ends the search.
    func shortestPrefixReplacement(_ key: some Sequence<UInt8>) -> ArraySlice<UInt8>? {
        var position = 0
        guard let root = unit(at: position) else { return nil }
        position ^= Self.offset(root)
        for byte in key {
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard let child = unit(at: position), Self.label(child) == UInt32(byte) else { return nil }
            position ^= Self.offset(child)
            if Self.hasLeaf(child) {
                guard let leaf = unit(at: position) else { return nil }
                return replacement(at: Int(Self.value(leaf)))
            }
        }
        return nil
    }

    /// The NUL-terminated (or blob-terminated) string at `offset`; nil past the blob, where the
    /// crate's checked access also gives nothing.
    private func replacement(at offset: Int) -> ArraySlice<UInt8>? {
        guard offset <= replacements.count else { return nil }
        let end = replacements[offset...].firstIndex(of: 0) ?? replacements.endIndex
        return replacements[offset..<end]
    }

    /// A position outside the array never matches (the crate would panic on such a charsmap;
    /// a server must not).
    private func unit(at position: Int) -> UInt32? {
        position < units.count ? units[position] : nil
    }

    // Darts-clone unit fields: label in bits 0-7 (bit 31 set marks a value unit, so it never
    // equals a byte), has-leaf in bit 8, offset in bits 10-31 scaled by 256 when bit 9 is set.
    private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    private static func value(_ unit: UInt32) -> UInt32 { unit & 0x7FFF_FFFF }
    private static func label(_ unit: UInt32) -> UInt32 { unit & 0x8000_00FF }
    private static func offset(_ unit: UInt32) -> Int { Int(unit >> 10) << Int((unit & (1 << 9)) >> 6) }

    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func littleEndianUnit(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
    }
}

enum PrecompiledCharsMapError: Error, Equatable, CustomStringConvertible {
    case tooShort
    case trieExceedsData(trieBytes: Int)
    case replacementsNotUTF8

    var description: String {
        switch self {
        case .tooShort: "precompiled_charsmap is shorter than its 4-byte header"
        case .trieExceedsData(let size): "precompiled_charsmap declares a \(size)-byte trie that its data does not hold"
        case .replacementsNotUTF8: "precompiled_charsmap replacement strings are not valid UTF-8"
        }
    }
}
