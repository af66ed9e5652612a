import Testing
@testable import Imaging

@Suite struct CodecLibrariesTests {
    @Test func decodersReportTheirVersions() {
        #expect(CodecLibraries.libpngVersion.hasPrefix("1.6"))
        #expect(CodecLibraries.libwebpVersion.split(separator: ".").count == 3)
    }
}
