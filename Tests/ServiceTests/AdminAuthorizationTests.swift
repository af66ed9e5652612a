import HTTPServer
import Testing
@testable import Service

@Suite struct AdminAuthorizationTests {
    private func request(_ authorization: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let authorization { headers.set("Authorization", authorization) }
        return HTTPRequest(method: .get, path: "/admin/adapters", headers: headers)
    }

    private func status(_ auth: AdminAuthorization, _ header: String?) -> Int {
        do {
            try auth.check(request(header))
            return 200
        } catch {
            return error.status
        }
    }

    @Test func withoutAConfiguredTokenTheAdminSurfaceDoesNotExist() {
        #expect(status(AdminAuthorization(token: nil), "Bearer anything") == 404)
    }

    @Test func missingWrongAndRightTokens() {
        let auth = AdminAuthorization(token: "s3cret")
        #expect(status(auth, nil) == 401)
        #expect(status(auth, "Basic czNjcmV0") == 401)
        #expect(status(auth, "Bearer ") == 401)
        #expect(status(auth, "Bearer s3cre") == 403)
        #expect(status(auth, "Bearer s3cret!") == 403)
        #expect(status(auth, "Bearer S3CRET") == 403)
        #expect(status(auth, "Bearer s3cret") == 200)
        #expect(status(auth, "bearer s3cret") == 200)
    }

    @Test func constantTimeComparisonHandlesEveryLengthRelation() {
        #expect(AdminAuthorization.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!AdminAuthorization.constantTimeEquals(Array("ab".utf8), Array("abc".utf8)))
        #expect(!AdminAuthorization.constantTimeEquals(Array("abcd".utf8), Array("abc".utf8)))
        #expect(!AdminAuthorization.constantTimeEquals([], Array("abc".utf8)))
        // Lengths that differ by a multiple of 256 must still differ.
        #expect(!AdminAuthorization.constantTimeEquals([UInt8](repeating: 97, count: 259), Array("aaa".utf8)))
    }
}
