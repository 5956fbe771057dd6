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
}
