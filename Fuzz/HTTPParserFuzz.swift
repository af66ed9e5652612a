// libFuzzer target over HTTPRequestParser. Built outside SwiftPM by scripts/fuzz-http-parser,
// compiled together with Sources/HTTPServer/Parser/*.swift into one module (so no import).
//
// Besides "no crash, no leak, no hang", each input checks the parser's central property:
// parsing the bytes whole and parsing them cut into pieces (cut sizes taken from the first
// input byte) yields the same requests and the same refusal. A difference traps, which
// libFuzzer records as a crash with its input.

/// Small limits so the fuzzer reaches every limit branch with short inputs.
private let fuzzLimits = HTTPLimits(
    maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096,
    maxChunkLineBytes: 64)

private struct Outcome: Equatable {
    var requests: [[String]] = []
    var error: HTTPParseError?
}

private func run(_ chunks: [ArraySlice<UInt8>]) -> Outcome {
    var parser = HTTPRequestParser(limits: fuzzLimits)
    var outcome = Outcome()
    var current: [String] = []
    var body: [UInt8] = []
    do {
        for chunk in chunks {
            parser.append(chunk)
            while let event = try parser.next() {
                switch event {
                case .head(let head):
                    current = ["\(head)"]
                    body = []
                    if head.path.hasPrefix("/small") { try parser.setBodyLimit(8) }
                case .body(let bytes):
                    body += bytes
                case .end(let trailers):
                    current.append(String(decoding: body, as: UTF8.self))
                    current.append("\(trailers)")
                    outcome.requests.append(current)
                }
            }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let step = Int(bytes[0] % 16) + 1
    let input = bytes[1...]
    let whole = run([input])
    var pieces: [ArraySlice<UInt8>] = []
    var i = input.startIndex
    while i < input.endIndex {
        let end = min(i + step, input.endIndex)
        pieces.append(input[i..<end])
        i = end
    }
    let split = run(pieces)
    if whole != split {
        print("split-dependent parse with step \(step):\nwhole: \(whole)\nsplit: \(split)")
        abort()
    }
    return 0
}

@_silgen_name("abort") private func abort() -> Never
