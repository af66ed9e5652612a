import PostgresNIO

/// What an operator needs from a PostgresNIO error, without what must not leak: PSQLError's
/// `description` is deliberately generic, and its debug text quotes the statement's bound values
/// (users' metadata, captions). This keeps the error class, the server's SQLSTATE, message and
/// detail, and the underlying network error.
public enum PostgresErrorText {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        var parts = [error.code.description]
        if let info = error.serverInfo {
            parts += [info[.sqlState].map { "SQLSTATE \($0)" }, info[.message], info[.detail]].compactMap { $0 }
        }
        if let underlying = error.underlying { parts.append(String(describing: underlying)) }
        return parts.joined(separator: ": ")
    }
}
