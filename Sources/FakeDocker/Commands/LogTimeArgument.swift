import DockerSyntax
#if canImport(Glibc)
import Glibc
#endif

/// A `logs --since`/`--until` value read as the docker CLI reads it (`timetypes.GetTimestamp`) and the daemon
/// then takes it: a Go duration (`10m`, `1h30m`: that long before now, in whole seconds), an RFC 3339 time
/// (fractional seconds, `Z` or an offset all optional; without a zone, local time; also just a date or
/// `…T15`, `…T15:04`), or Unix seconds (`1700000000`, `1700000000.5`). Observed:
/// docs/engine-observations.md, "logs: entries and timestamps".
enum LogTimeArgument {
    /// The time `value` names, or the CLI's reason for refusing it.
    static func parse(_ value: String, now: LogTime) throws(GoTimeLayout.Invalid) -> LogTime {
        if value != "0", let duration = try? GoDuration.parse(value) {
            let then = now.nanoseconds - Int64((duration * 1e9).rounded())
            return LogTime(seconds: LogTime(nanoseconds: then).divided.seconds)
        }
        // The CLI's choice of layout, from the characters the value has.
        let inLocalZone = !(value.contains { "zZ+".contains($0) } || value.filter { $0 == "-" }.count == 3)
        let layout: String
        if value.contains(".") {
            layout = inLocalZone ? "2006-01-02T15:04:05.999999999" : "2006-01-02T15:04:05.999999999Z07:00"
        } else if value.contains("T") {
            var colons = value.filter { $0 == ":" }.count
            // An offset (not Z) brings a colon of its own.
            if !inLocalZone && !value.contains(where: { "zZ".contains($0) }) && colons > 0 { colons -= 1 }
            let clock = colons == 0 ? "2006-01-02T15" : colons == 1 ? "2006-01-02T15:04" : "2006-01-02T15:04:05"
            layout = inLocalZone ? clock : clock + "Z07:00"
        } else {
            layout = inLocalZone ? "2006-01-02" : "2006-01-02Z07:00"
        }
        do {
            return try GoTimeLayout(layout: layout).parse(value, localOffset: localOffset(at: now))
        } catch {
            // With a `-` it was meant as a date; else it may be Unix seconds.
            if value.contains("-") { throw error }
            guard let time = unixTime(value) else {
                throw GoTimeLayout.Invalid(reason: "failed to parse value as time or duration: \(goQuote(value))")
            }
            return time
        }
    }

    /// `SECONDS[.FRACTION]`, the fraction scaled to nanoseconds as timetypes.parseTimestamp scales it.
    private static func unixTime(_ value: String) -> LogTime? {
        let parts = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else { return nil }
        guard parts.count == 2 else { return LogTime(seconds: seconds) }
        guard let fraction = Int64(parts[1]) else { return nil }
        let nanoseconds = Int64(Double(fraction) * pow(10, Double(9 - parts[1].count)))
        return LogTime(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// Seconds east of UTC of the local zone at `time`: the CLI parses a zoneless value in that fixed zone.
    private static func localOffset(at time: LogTime) -> Int64 {
        var t = time_t(time.divided.seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return Int64(parts.tm_gmtoff)
    }
}
