import Numerics

/// Process-wide cap on the threads model math uses (`engine.threads`).
public enum MathThreads {
    public static func set(_ count: Int) { BLASBackend.setThreadCount(count) }
    public static var current: Int { BLASBackend.threadCount }
}
