import Testing

@testable import Tokenizers

/// The character classes answer ASCII without the Unicode tables; those answers must be the
/// tables' own.
@Suite struct ScalarClassesTests {
    static let ascii = (0..<128).compactMap { Unicode.Scalar(UInt32($0)) }

    @Test func asciiAnswersEqualTheUnicodeTables() {
        for scalar in Self.ascii {
            let category = scalar.properties.generalCategory
            let letter: Set<Unicode.GeneralCategory> = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]
            let number: Set<Unicode.GeneralCategory> = [.decimalNumber, .letterNumber, .otherNumber]
            let control: Set<Unicode.GeneralCategory> = [.control, .format, .surrogate, .privateUse, .unassigned]
            let punctuation: Set<Unicode.GeneralCategory> = [
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                .finalPunctuation, .otherPunctuation,
            ]
            let tabOrNewline = scalar == "\t" || scalar == "\n" || scalar == "\r"
            let name = "U+\(String(scalar.value, radix: 16))"
            #expect(scalar.isLetter == letter.contains(category), "\(name) isLetter")
            #expect(scalar.isNumber == number.contains(category), "\(name) isNumber")
            #expect(scalar.isRegexWhitespace == scalar.properties.isWhitespace, "\(name) isRegexWhitespace")
            #expect(scalar.isBertWhitespace == (scalar == " " || tabOrNewline || category == .spaceSeparator), "\(name) isBertWhitespace")
            #expect(scalar.isBertControl == (!tabOrNewline && control.contains(category)), "\(name) isBertControl")
            let printableSymbol = (33...47).contains(scalar.value) || (58...64).contains(scalar.value)
                || (91...96).contains(scalar.value) || (123...126).contains(scalar.value)
            #expect(scalar.isBertPunctuation == (printableSymbol || punctuation.contains(category)), "\(name) isBertPunctuation")
            var lowered: [Unicode.Scalar] = []
            scalar.appendLowercased(to: &lowered)
            #expect(lowered == Array(scalar.properties.lowercaseMapping.unicodeScalars), "\(name) lower-cased")
        }
    }
}
