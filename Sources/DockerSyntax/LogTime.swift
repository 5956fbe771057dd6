#if canImport(Glibc)
import Glibc
#endif

/// When a log entry was logged: nanoseconds since the Unix epoch. The engine's json-file driver keeps
/// nanoseconds and `logs --since`/`--until` compare at that precision, which a `Double` of seconds cannot hold.
/// fake-docker stamps its log with it; dockrun re-reads the log from one (`logs --since`) after an engine restart.
public struct LogTime: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public static func < (a: LogTime, b: LogTime) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func now() -> LogTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LogTime(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public init(seconds: Int64, nanoseconds: Int64 = 0) { self.nanoseconds = seconds * 1_000_000_000 + nanoseconds }

    /// A time the store keeps as seconds (a container's `createdAt`).
    public init(secondsSinceEpoch: Double) { nanoseconds = Int64((secondsSinceEpoch * 1e9).rounded()) }

    /// `2026-11-29T07:10:22.847681000Z`: the engine's `logs -t` prefix (jsonmessage.RFC3339NanoFixed), nine
    /// digits always, trailing zeros kept (observed: docs/engine-observations.md, "logs: entries and timestamps").
    public var rfc3339NanoFixed: String { formatted(nanoseconds: true) }

    /// `2026-11-29T07:10:22Z`: to the second, as dockrun's `io.dockrun.started` label.
    public var rfc3339Seconds: String { formatted(nanoseconds: false) }

    /// The time `rfc3339Seconds` wrote (`dockrun reap` reads the label back); nil for any other text.
    public init?(rfc3339Seconds text: String) {
        let digits = Array(text.utf8)
        guard digits.count == 20 else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            range.allSatisfy { digits[$0] >= 48 && digits[$0] <= 57 }
                ? range.reduce(0) { $0 * 10 + Int32(digits[$1] - 48) } : nil
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")]
        guard separators.allSatisfy({ digits[$0.0] == $0.1.asciiValue }),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, month - 1, day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        self.init(seconds: Int64(timegm(&parts)))
    }

    private func formatted(nanoseconds withFraction: Bool) -> String {
        let (seconds, fraction) = divided
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var text = [CChar](repeating: 0, count: 40)
        let format = withFraction ? "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ" : "%04d-%02d-%02dT%02d:%02d:%02dZ"
        let count = withVaList([parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, Int(fraction)]) {
            vsnprintf(&text, text.count, format, $0)
        }
        return String(decoding: text.prefix(Int(max(0, count))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whole seconds (floored, as Go's `Time.Unix`) and the nanoseconds within that second.
    public var divided: (seconds: Int64, nanoseconds: Int64) {
        let s = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds + 1) / 1_000_000_000 - 1
        return (s, nanoseconds - s * 1_000_000_000)
    }
}
