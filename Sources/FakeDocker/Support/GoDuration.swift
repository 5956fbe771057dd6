/// Go's time.ParseDuration, which docker uses for `--health-interval` and friends: "1h2m3.5s",
/// "300ms", "0"; units ns us µs ms s m h. Returns seconds, or throws Go's error text.
enum GoDuration {
    struct Invalid: Error {
        var reason: String
    }

    static func parse(_ text: String) throws(Invalid) -> Double {
        if text == "0" { return 0 }
        let invalid = Invalid(reason: "time: invalid duration \"\(text)\"")
        var s = Substring(text)
        var sign = 1.0
        if s.first == "-" || s.first == "+" { sign = s.first == "-" ? -1 : 1; s.removeFirst() }
        guard !s.isEmpty else { throw invalid }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, number != ".", let value = Double(number) else { throw invalid }
            s.removeFirst(number.count)
            let unitText = s.prefix { !$0.isNumber && $0 != "." }
            if unitText.isEmpty { throw Invalid(reason: "time: missing unit in duration \"\(text)\"") }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                throw Invalid(reason: "time: unknown unit \"\(unitText)\" in duration \"\(text)\"")
            }
            s.removeFirst(unitText.count)
            total += value * unit.1
        }
        return sign * total
    }

    /// Go's Duration.String for `seconds`: "500ms", "1s", "1m30s", "1h0m0s", "1.5s" (fractions without trailing zeros).
    static func format(_ seconds: Double) -> String {
        let nanoseconds = Int64((seconds * 1e9).rounded())
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let n = abs(nanoseconds)
        func decimal(_ value: Int64, _ scale: Int64) -> String {
            let whole = value / scale, fraction = value % scale
            guard fraction != 0 else { return "\(whole)" }
            var digits = String(fraction)
            digits = String(repeating: "0", count: String(scale).count - 1 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            return "\(whole).\(digits)"
        }
        if n < 1_000 { return sign + "\(n)ns" }
        if n < 1_000_000 { return sign + decimal(n, 1_000) + "µs" }
        if n < 1_000_000_000 { return sign + decimal(n, 1_000_000) + "ms" }
        let hours = n / 3_600_000_000_000, minutes = n / 60_000_000_000 % 60
        let rest = decimal(n % 60_000_000_000, 1_000_000_000) + "s"
        if hours > 0 { return sign + "\(hours)h\(minutes)m" + rest }
        if minutes > 0 { return sign + "\(minutes)m" + rest }
        return sign + rest
    }
}
