import DockerSyntax
#if canImport(Glibc)
import Glibc
#endif

/// Go's `time.Parse` for the layouts the docker CLI tries on a `--since`/`--until` value (digits, `T`, `:`,
/// fractional seconds, `Z07:00`), with Go's error texts, which the CLI prints as they are:
/// `parsing time "2026-1-29" as "2006-01-02": cannot parse "1-29" as "01"`, `…: month out of range`,
/// `…: extra text: "Q"` (observed: docs/engine-observations.md, "logs: entries and timestamps").
struct GoTimeLayout {
    struct Invalid: Error { var reason: String }

    let layout: String

    private enum Element: String, CaseIterable {
        case year = "2006", month = "01", day = "02", hour = "15", minute = "04", second = "05"
        case fraction = ".999999999", zone = "Z07:00"
    }

    /// The layout cut as Go's nextStdChunk cuts it: literal text, then an element.
    private var chunks: [(literal: String, element: Element?)] {
        var result: [(String, Element?)] = []
        var literal = ""
        var rest = Substring(layout)
        while !rest.isEmpty {
            if let element = Element.allCases.first(where: { rest.hasPrefix($0.rawValue) }) {
                result.append((literal, element))
                literal = ""
                rest = rest.dropFirst(element.rawValue.count)
            } else {
                literal.append(rest.removeFirst())
            }
        }
        result.append((literal, nil))
        return result
    }

    /// Parses `value`; a value without a zone is taken at `localOffset` seconds east of UTC (the CLI's
    /// `time.FixedZone` of the local zone now).
    func parse(_ value: String, localOffset: Int64) throws(Invalid) -> LogTime {
        var year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var nanoseconds: Int64 = 0
        var offset: Int64?
        var rest = Substring(value)
        func failure(_ element: String, _ at: Substring) -> Invalid {
            Invalid(reason: "parsing time \(goQuote(value)) as \(goQuote(layout)): cannot parse \(goQuote(String(at))) as \(goQuote(element))")
        }
        func outOfRange(_ what: String) -> Invalid { Invalid(reason: "parsing time \(goQuote(value)): \(what) out of range") }
        for (literal, element) in chunks {
            guard rest.hasPrefix(literal) else { throw failure(literal, rest) }
            rest = rest.dropFirst(literal.count)
            guard let element else {
                if !rest.isEmpty { throw Invalid(reason: "parsing time \(goQuote(value)): extra text: \(goQuote(String(rest)))") }
                break
            }
            let hold = rest
            switch element {
            case .year:
                guard rest.count >= 4, let y = Int(rest.prefix(4)) else { throw failure(element.rawValue, hold) }
                year = y
                rest = rest.dropFirst(4)
            case .month:
                guard let m = Self.number(&rest, fixed: true) else { throw failure(element.rawValue, hold) }
                guard (1...12).contains(m) else { throw outOfRange("month") }
                month = m
            case .day:
                guard let d = Self.number(&rest, fixed: true) else { throw failure(element.rawValue, hold) }
                day = d
            case .hour:
                guard let h = Self.number(&rest, fixed: false) else { throw failure(element.rawValue, hold) }
                guard h < 24 else { throw outOfRange("hour") }
                hour = h
            case .minute:
                guard let m = Self.number(&rest, fixed: true) else { throw failure(element.rawValue, hold) }
                guard m < 60 else { throw outOfRange("minute") }
                minute = m
            case .second:
                guard let s = Self.number(&rest, fixed: true) else { throw failure(element.rawValue, hold) }
                guard s < 60 else { throw outOfRange("second") }
                second = s
                // Go takes a fraction after the seconds even when the layout has none.
                if !chunks.contains(where: { $0.element == .fraction }) { nanoseconds = Self.fraction(&rest) ?? 0 }
            case .fraction:
                nanoseconds = Self.fraction(&rest) ?? 0
            case .zone:
                if rest.first == "Z" {
                    rest = rest.dropFirst()
                    offset = 0
                    continue
                }
                let sign = rest.first
                var hours = rest.dropFirst().prefix(2), minutes = rest.dropFirst(4).prefix(2)
                guard rest.count >= 6, rest.dropFirst(3).first == ":", sign == "+" || sign == "-",
                      let hh = Self.number(&hours, fixed: true), let mm = Self.number(&minutes, fixed: true)
                else { throw failure(element.rawValue, hold) }
                // Go's test is `>`, not `>=`: offsets of 24 hours or 60 minutes are written.
                if hh > 24 { throw outOfRange("time zone offset hour") }
                if mm > 60 { throw outOfRange("time zone offset minute") }
                offset = Int64(hh * 3600 + mm * 60) * (sign == "-" ? -1 : 1)
                rest = rest.dropFirst(6)
            }
        }
        guard day >= 1, day <= Self.days(inMonth: month, year: year) else { throw outOfRange("day") }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month - 1); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour); parts.tm_min = Int32(minute); parts.tm_sec = Int32(second)
        let seconds = Int64(timegm(&parts)) - (offset ?? localOffset)
        return LogTime(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// Go's getnum: one or two digits (exactly two when `fixed`).
    private static func number(_ text: inout Substring, fixed: Bool) -> Int? {
        let digits = text.prefix(2).prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, !(fixed && digits.count < 2) else { return nil }
        text = text.dropFirst(digits.count)
        return Int(digits)
    }

    /// `.123…`: any number of digits, as Go reads them, kept to nanoseconds; nil (and nothing taken) when
    /// `text` does not start with a period or comma and a digit.
    private static func fraction(_ text: inout Substring) -> Int64? {
        guard let mark = text.first, mark == "." || mark == ",",
              let first = text.dropFirst().first, first.isASCII, first.isNumber else { return nil }
        let digits = text.dropFirst().prefix { $0.isASCII && $0.isNumber }
        text = text.dropFirst(1 + digits.count)
        let nine = String(digits.prefix(9))
        return Int64(nine + String(repeating: "0", count: 9 - nine.count))
    }

    private static func days(inMonth month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}

/// A string quoted as Go's `%q` quotes it (printable ASCII as is, `"` and `\` escaped, other bytes as `\xNN`),
/// for Go's error texts.
func goQuote(_ text: String) -> String {
    var quoted = "\""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): quoted += "\\" + String(UnicodeScalar(byte))
        case 0x20..<0x7f: quoted.append(Character(UnicodeScalar(byte)))
        default:
            let hex = String(byte, radix: 16)
            quoted += "\\x" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return quoted + "\""
}
