import Foundation
import Testing
@testable import Service

@Suite struct ImagePayloadTests {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]

    @Test func dataURIAndBareBase64DecodeToTheSameBytes() throws {
        let b64 = Data(png).base64EncodedString()
        #expect(try ImagePayload.decode("data:image/png;base64,\(b64)", field: "input", maxBytes: 100) == Data(png))
        #expect(try ImagePayload.decode(b64, field: "input", maxBytes: 100) == Data(png))
    }

    @Test func nonImageOrNonBase64URIsAreRefusedByField() {
        for text in ["data:text/plain;base64,aGVsbG8=", "data:image/png,rawbytes", "data:image/png;base64", "***"] {
            do {
                _ = try ImagePayload.decode(text, field: "image", maxBytes: 100)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.field == "image")
                #expect(error.status == 400)
            }
        }
    }

    @Test func oversizedPayloadIsA413BeforeDecoding() {
        let big = String(repeating: "A", count: 4000)
        do {
            _ = try ImagePayload.decode(big, field: "image", maxBytes: 1000)
            Issue.record("accepted an oversized image")
        } catch {
            #expect(error.status == 413)
        }
    }
}
