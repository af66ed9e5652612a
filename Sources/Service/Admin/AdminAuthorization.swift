import HTTPServer

/// Guards `/admin/*`. With no token configured the admin surface does not exist (404, so a
/// scanner learns nothing); otherwise a `Authorization: Bearer <token>` header is required
/// (401 without one, 403 for a wrong one), compared in constant time.
struct AdminAuthorization: Sendable {
    let token: String?

    func check(_ request: HTTPRequest) throws(APIError) {
        guard let token else {
            throw APIError(status: 404, code: "not-found", title: "Not Found", detail: "no route for \(request.path)")
        }
        guard let header = request.headers["Authorization"] else {
            throw APIError(status: 401, code: "unauthorized", title: "Unauthorized",
                           detail: "admin routes need an 'Authorization: Bearer <token>' header")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError(status: 401, code: "unauthorized", title: "Unauthorized",
                           detail: "the Authorization header must use the Bearer scheme")
        }
        let presented = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8)) else {
            throw APIError(status: 403, code: "forbidden", title: "Forbidden", detail: "the admin token is not valid")
        }
    }

    /// Compares every byte of the expected token whatever the input, so the time taken does not
    /// reveal how long a matching prefix was.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for i in 0..<expected.count {
            let byte = i < presented.count ? presented[i] : 0
            difference |= byte ^ expected[i]
        }
        return difference == 0
    }
}

import Foundation
