import Logging

/// Process-wide logging: one line per event on standard error, at the configured level.
public enum ServiceLogging {
    /// Call once, before any logger is made. `level` is a validated `logging.level` value.
    public static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
