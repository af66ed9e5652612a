import Testing
@testable import Engine

@Suite struct LanguageRouterTests {
    @Test(arguments: [
        ("两个红色的圆形", QueryLanguage.zh),
        ("a photo of a red car", .en),
        ("红色的 car", .zh),
        ("a photo taken in 北京 at night with friends", .en),
        ("", .en),
        ("12345 !!!", .en),
        ("一张猫的照片 photo", .zh),
    ])
    func autoPicksTheEncoderThatReadsMostOfTheText(text: String, expected: QueryLanguage) {
        #expect(LanguageRouter.resolve(.auto, text: text) == expected)
    }

    @Test func explicitLanguagesAreNeverRerouted() {
        #expect(LanguageRouter.resolve(.en, text: "两个红色的圆形") == .en)
        #expect(LanguageRouter.resolve(.zhRaw, text: "两个红色的圆形") == .zhRaw)
        #expect(LanguageRouter.resolve(.zh, text: "a red car") == .zh)
    }

    @Test func shareCountsIdeographsAmongLetters() {
        #expect(LanguageRouter.cjkShare(of: "红色的 car") == 0.5)
        #expect(LanguageRouter.cjkShare(of: "😀😀") == 0)
        #expect(LanguageRouter.cjkShare(of: "𠀀") == 1)  // extension B, outside the BMP
    }

    @Test func rawValuesAreTheWireNames() {
        #expect(QueryLanguage(rawValue: "zh-raw") == .zhRaw)
        #expect(QueryLanguage.allCases.map(\.rawValue) == ["en", "zh", "zh-raw", "auto"])
    }
}
