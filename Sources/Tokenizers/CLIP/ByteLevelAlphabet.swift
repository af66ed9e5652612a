/// GPT-2/CLIP's reversible byte-to-character table (OpenAI `clip/simple_tokenizer.py`
/// `bytes_to_unicode`, tokenizers `pre_tokenizers/byte_level.rs`): printable Latin-1 bytes map to
/// themselves, the 68 others to U+0100 onwards in byte order, so every vocabulary entry is a
/// string of visible characters.
enum ByteLevelAlphabet {
    /// `scalar[b]` is the character standing for byte `b`.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 256 + n stays below the surrogate range, so the scalar always exists.
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The vocabulary spelling of one byte.
    static func symbol(for byte: UInt8) -> String {
        String(Character(scalars[Int(byte)]))
    }
}
