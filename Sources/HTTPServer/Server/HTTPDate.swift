import Glibc
import Synchronization

/// The IMF-fixdate for the `Date` field (RFC 9110 §5.6.7), formatted at most once per second:
/// every response needs it and formatting per response would be measurable at 30k requests/s.
enum HTTPDate {
    private struct Cached {
        var second: Int = -1
        var bytes: [UInt8] = []
    }

    private static let cache = Mutex(Cached())
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> [UInt8] {
        var seconds = time(nil)
        return cache.withLock { cached in
            if cached.second == seconds { return cached.bytes }
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let text = "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
                + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
            cached = Cached(second: seconds, bytes: Array(text.utf8))
            return cached.bytes
        }
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
