// libFuzzer target over the request-body readers: multipart/form-data (RFC 7578) and the JSON
// path (shape check, strict parse, FieldReader's typed accessors). Built outside SwiftPM by
// scripts/fuzz-request-bodies, compiled together with the reader sources into one module.
//
// Besides "no crash, no leak, no hang", each input checks two properties that hold for any
// bytes: a refusal is always a 4xx problem with a detail (never a trap, never a 5xx), and a body
// the shape check let through never nests deeper than its limit.

import JSON

private let shapeLimits = JSONLimits(maxValues: 512, maxDepth: 16)

private func checkRefusal(_ error: APIError) {
    guard (400..<500).contains(error.status), !error.detail.isEmpty else { fatalError("refusal is not a 4xx with a detail: \(error)") }
}

private func fuzzMultipart(_ bytes: [UInt8]) {
    // The first byte picks a boundary length; the rest is the body.
    guard let first = bytes.first else { return }
    let boundary = String(repeating: "b", count: Int(first % 8) + 1)
    let body = Array(bytes.dropFirst())
    do {
        let form = try MultipartFormData.parse(body, boundary: boundary, maxParts: 16)
        guard form.parts.count <= 16 else { fatalError("more parts than the limit") }
        for part in form.parts { _ = part.text; _ = form.first(named: part.name) }
    } catch {
        checkRefusal(error)
    }
}

private func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let items): 1 + (items.map(depth).max() ?? 0)
    case .object(let members): 1 + (members.values.map(depth).max() ?? 0)
    default: 0
    }
}

private func fuzzJSON(_ bytes: [UInt8]) {
    do {
        let reader = try FieldReader.parseBody(bytes, limits: shapeLimits)
        guard depth(.object(reader.members)) <= shapeLimits.maxDepth else { fatalError("a body deeper than the limit was parsed") }
        // Every accessor refuses by name or answers; none traps.
        for key in reader.members.keys.sorted() {
            _ = try? reader.string(key)
            _ = try? reader.int(key, in: -1_000...1_000)
            _ = try? reader.number(key)
            _ = try? reader.strings(key, limit: 8)
            _ = try? reader.object(key)
        }
        _ = try? reader.rejectUnknown(["input", "model"])
    } catch {
        checkRefusal(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Odd first byte: multipart; even: JSON (so one corpus feeds both readers).
    if let first = bytes.first, first & 1 == 1 { fuzzMultipart(Array(bytes.dropFirst())) } else { fuzzJSON(Array(bytes.dropFirst())) }
    return 0
}
