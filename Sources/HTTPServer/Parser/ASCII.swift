/// Byte classes of RFC 9110/9112 and RFC 3986, as lookup tables: the parser asks one question
/// per byte, so the answer must be a load, not a chain of comparisons.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let questionMark: UInt8 = 0x3F
    static let percent: UInt8 = 0x25
    static let asterisk: UInt8 = 0x2A

    /// tchar (RFC 9110 §5.6.2): the characters of methods, field names and codings.
    static let tokenTable: [Bool] = table { b in
        isAlphaNumeric(b) || "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    /// Bytes allowed in an origin-form or absolute-form request-target (RFC 3986: unreserved,
    /// sub-delims, ":", "@", "/", "?", and "%" which is checked for two hex digits separately).
    static let targetTable: [Bool] = table { b in
        isAlphaNumeric(b) || "-._~!$&'()*+,;=:@/?%".utf8.contains(b)
    }

    /// field-vchar, SP and HTAB plus obs-text (RFC 9110 §5.5): everything but other controls and DEL.
    static let fieldValueTable: [Bool] = table { b in
        b == tab || (b >= 0x20 && b != 0x7F)
    }

    @inline(__always) static func isToken(_ b: UInt8) -> Bool { tokenTable[Int(b)] }
    @inline(__always) static func isTargetByte(_ b: UInt8) -> Bool { targetTable[Int(b)] }
    @inline(__always) static func isFieldValueByte(_ b: UInt8) -> Bool { fieldValueTable[Int(b)] }
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b | 0x20 : b
    }

    static func caseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lower($0) == lower($1) }
    }

    /// True when bytes equal `lowercaseLiteral` ignoring ASCII case; the literal must be lowercase.
    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercaseLiteral: StaticString) -> Bool {
        guard bytes.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        return lowercaseLiteral.withUTF8Buffer { literal in
            var i = bytes.startIndex
            for c in literal {
                if lower(bytes[i]) != c { return false }
                i += 1
            }
            return true
        }
    }

    private static func isAlphaNumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private static func table(_ member: (UInt8) -> Bool) -> [Bool] {
        (0...255).map { member(UInt8($0)) }
    }
}
