import ArgumentParser
import Foundation

/// Ends a subcommand whose machinery has not landed yet: exit status 2 and a plain message,
/// never a fabricated result.
func notImplementedYet(_ command: String, issue: Int) throws -> Never {
    FileHandle.standardError.write(Data("adaptclip \(command): not implemented yet (tracked in issue \(issue))\n".utf8))
    throw ExitCode(2)
}
