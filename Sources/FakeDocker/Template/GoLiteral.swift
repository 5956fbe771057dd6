/// Go's literal syntax as text/template reads it (strconv.Unquote, UnquoteChar, ParseInt/ParseFloat base 0).
enum GoLiteral {
    /// A `"…"` or raw `` `…` `` string token's value; nil where Go reports "invalid syntax".
    static func unquote(_ token: String) -> String? {
        var scalars = Substring(token).unicodeScalars
        guard let quote = scalars.popFirst(), scalars.popLast() == quote else { return nil }
        if quote == "`" {
            // Go drops carriage returns from raw strings.
            return String(String.UnicodeScalarView(scalars.filter { $0 != "\r" }))
        }
        var bytes: [UInt8] = []
        var rest = Substring.UnicodeScalarView(scalars)
        while !rest.isEmpty {
            guard let decoded = unquoteOne(&rest, quote: "\"") else { return nil }
            bytes.append(contentsOf: decoded)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `'x'` character constant's code point; nil for a malformed one.
    static func unquoteChar(_ token: String) -> Unicode.Scalar? {
        var scalars = Substring(token).unicodeScalars
        guard scalars.popFirst() == "'", scalars.popLast() == "'" else { return nil }
        let escaped = scalars.first == "\\"
        guard let bytes = unquoteOne(&scalars, quote: "'"), scalars.isEmpty else { return nil }
        if escaped && bytes.count == 1 { return Unicode.Scalar(bytes[0]) }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.first
    }

    /// One character or escape sequence, as UTF-8 (a `\xff` escape is a single raw byte).
    private static func unquoteOne(_ s: inout Substring.UnicodeScalarView, quote: Unicode.Scalar) -> [UInt8]? {
        guard let c = s.popFirst() else { return nil }
        if c == quote && quote == "'" { return nil }
        guard c == "\\" else { return Array(String(c).utf8) }
        guard let e = s.popFirst() else { return nil }
        func hexDigits(_ n: Int) -> UInt32? {
            var value: UInt32 = 0
            for _ in 0..<n {
                guard let d = s.popFirst(), let digit = Int(String(d), radix: 16) else { return nil }
                value = value * 16 + UInt32(digit)
            }
            return value
        }
        switch e {
        case "a": return [0x07]
        case "b": return [0x08]
        case "f": return [0x0C]
        case "n": return [0x0A]
        case "r": return [0x0D]
        case "t": return [0x09]
        case "v": return [0x0B]
        case "\\": return [0x5C]
        case "'", "\"":
            return e == quote ? [UInt8(e.value)] : nil
        case "x":
            return hexDigits(2).map { [UInt8($0)] }
        case "u", "U":
            guard let value = hexDigits(e == "u" ? 4 : 8), let scalar = Unicode.Scalar(value) else { return nil }
            return Array(String(scalar).utf8)
        case "0"..."7":
            var value = e.value - 48
            for _ in 0..<2 {
                guard let d = s.popFirst(), ("0"..."7").contains(d) else { return nil }
                value = value * 8 + d.value - 48
            }
            return value > 255 ? nil : [UInt8(value)]
        default:
            return nil
        }
    }

    /// strconv.ParseInt(text, 0, 64): sign, 0x/0o/0b/leading-0 prefixes, `_` separators.
    static func parseInt(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            body = body.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            body = body.dropFirst(2)
        } else if body.count > 1 && body.first == "0" {
            radix = 8
            body = body.dropFirst()
        }
        let digits = body.filter { $0 != "_" }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    static func parseFloat(_ text: String) -> Double? {
        Double(text.filter { $0 != "_" })
    }

    static func isHexInt(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("0x") && !lower.contains("p")
    }
}
