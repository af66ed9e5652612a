import ArgumentParser
import Foundation
import Service

/// `adaptclip keys`: what an operator needs to fill `auth.api_keys` without the key itself ever
/// reaching a file or the command line (where shell history and `ps` would show it).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make and hash API keys for auth.api_keys.",
        subcommands: [Hash.self, New.self])

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the SHA-256 that auth.api_keys stores for the key read from standard input (one trailing newline is ignored).")

        func run() throws {
            var key = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if key.hasSuffix("\r\n") { key.removeLast(2) } else if key.hasSuffix("\n") { key.removeLast() }
            guard !key.isEmpty else { throw ValidationError("no key on standard input") }
            print(APIKeyEntry.hexDigest(ofKey: key))
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random key and the auth.api_keys entry holding its hash.")

        @Option(help: "The entry's name (shown in 429 answers).")
        var name = "client"
        @Option(help: "The entry's rate limit.")
        var requestsPerMinute = 600

        func run() throws {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = "ak_" + Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            print("key:   \(key)")
            print(#"entry: {"name": "\#(name)", "sha256": "\#(APIKeyEntry.hexDigest(ofKey: key))", "requests_per_minute": \#(requestsPerMinute)}"#)
        }
    }
}
