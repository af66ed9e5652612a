import Testing
@testable import Service

@Suite struct MultipartFormDataTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func boundaryIsReadFromTheContentType() {
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=abc123") == "abc123")
        #expect(MultipartFormData.boundary(fromContentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartFormData.boundary(fromContentType: "application/json") == nil)
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data") == nil)
        #expect(MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }

    @Test func fieldsAndFilesAreSplitWithTheirHeaders() throws {
        let body = bytes(
            "--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"labels\"\r\n\r\n"
            + "红色\r\n"
            + "--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
            + "Content-Type: image/png\r\n\r\n")
            + [0x89, 0x50, 0x4E, 0x47, 13, 10, 0x1A, 10]
            + bytes("\r\n--XyZ--\r\n")
        let form = try MultipartFormData.parse(body, boundary: "XyZ", maxParts: 8)
        #expect(form.parts.count == 2)
        #expect(form.first(named: "labels")?.text == "红色")
        let file = try #require(form.first(named: "file"))
        #expect(file.filename == "a \"b\".png")
        #expect(file.contentType == "image/png")
        #expect(file.body == [0x89, 0x50, 0x4E, 0x47, 13, 10, 0x1A, 10])  // CRLF inside data is kept
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = bytes("preamble\r\n--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b--\r\nepilogue")
        let form = try MultipartFormData.parse(body, boundary: "b", maxParts: 8)
        #expect(form.parts.map(\.name) == ["x"])
        #expect(form.first(named: "x")?.text == "1")
    }

    @Test(arguments: [
        "no delimiter at all",
        "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nunterminated",
        "--b\r\nContent-Disposition: attachment; name=x\r\n\r\n1\r\n--b--",
        "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=x",
        "--bjunk",
    ])
    func malformedBodiesAreRefusedWithA400(body: String) {
        do {
            _ = try MultipartFormData.parse(bytes(body), boundary: "b", maxParts: 8)
            Issue.record("accepted \(body.debugDescription)")
        } catch {
            #expect(error.status == 400)
            #expect(error.code == "malformed-multipart")
        }
    }

    @Test func partCountIsLimited() {
        let one = "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n"
        let body = bytes(String(repeating: one, count: 5) + "--b--")
        #expect(throws: APIError.self) { try MultipartFormData.parse(body, boundary: "b", maxParts: 4) }
        #expect((try? MultipartFormData.parse(body, boundary: "b", maxParts: 5))?.parts.count == 5)
    }
}
