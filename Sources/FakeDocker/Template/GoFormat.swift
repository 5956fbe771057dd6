import Foundation

/// The part of Go's `fmt` that templates reach: `%v` printing of values, `print`, `println`, `printf`.
enum GoFormat {
    /// `fmt.Sprint`: a space between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        var previousIsString = false
        for (i, arg) in args.enumerated() {
            if i > 0 && !arg.isString && !previousIsString { out += " " }
            out += value(arg)
            previousIsString = arg.isString
        }
        return out
    }

    /// `fmt.Sprintln`: always a space between operands, then a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map(value).joined(separator: " ") + "\n"
    }

    /// `%v`.
    static func value(_ v: TemplateValue) -> String {
        format(v, Directive(verb: "v"))
    }

    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var argIndex = 0
        let chars = Array(format.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            var directive = Directive(verb: "v")
            flags: while i < chars.count {
                switch chars[i] {
                case "+": directive.plus = true
                case "-": directive.minus = true
                case "#": directive.sharp = true
                case " ": directive.space = true
                case "0": directive.zero = true
                default: break flags
                }
                i += 1
            }
            directive.width = readNumber(chars, &i)
            if i < chars.count && chars[i] == "." {
                i += 1
                directive.precision = readNumber(chars, &i) ?? 0
            }
            guard i < chars.count else {
                out += "%!(NOVERB)"
                break
            }
            directive.verb = chars[i]
            i += 1
            if directive.verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < args.count else {
                out += "%!\(directive.verb)(MISSING)"
                continue
            }
            out += self.format(args[argIndex], directive)
            argIndex += 1
        }
        if argIndex < args.count {
            let extras = args[argIndex...].map { arg -> String in
                arg == .null ? "<nil>" : "\(arg.goTypeName)=\(value(arg))"
            }
            out += "%!(EXTRA \(extras.joined(separator: ", ")))"
        }
        return out
    }

    private static func readNumber(_ chars: [Unicode.Scalar], _ i: inout Int) -> Int? {
        var n: Int?
        while i < chars.count, ("0"..."9").contains(chars[i]) {
            n = (n ?? 0) * 10 + Int(chars[i].value - 48)
            i += 1
        }
        return n
    }

    struct Directive {
        var verb: Unicode.Scalar
        var plus = false, minus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    /// One operand under one verb; Go applies the verb to each element of a slice, map or struct.
    static func format(_ v: TemplateValue, _ d: Directive) -> String {
        switch v {
        case .array(let items):
            return "[" + items.map { format($0, d) }.joined(separator: " ") + "]"
        case .object(let object) where object.isMap:
            let pairs = object.sortedFields.map { format(.string($0.0), d) + ":" + format($0.1, d) }
            return "map[" + pairs.joined(separator: " ") + "]"
        case .object(let object):
            return "{" + object.fields.map { format($0.1, d) }.joined(separator: " ") + "}"
        case .null:
            return d.verb == "v" ? pad("<nil>", d, zeroAllowed: false) : badVerb(v, d)
        case .bool(let b):
            return d.verb == "v" || d.verb == "t" ? pad(b ? "true" : "false", d, zeroAllowed: false) : badVerb(v, d)
        case .string(let s):
            return formatString(s, v, d)
        case .int(let i):
            return formatInteger(i, v, d)
        case .double(let x):
            return formatDouble(x, v, d)
        }
    }

    private static func badVerb(_ v: TemplateValue, _ d: Directive) -> String {
        if v == .null { return "%!\(d.verb)(<nil>)" }
        return "%!\(d.verb)(\(v.goTypeName)=\(value(v)))"
    }

    private static func pad(_ s: String, _ d: Directive, zeroAllowed: Bool) -> String {
        guard let width = d.width else { return s }
        let count = s.unicodeScalars.count
        guard count < width else { return s }
        let fill = String(repeating: " ", count: width - count)
        if d.minus { return s + fill }
        if zeroAllowed && d.zero {
            // Zero padding goes between the sign and the digits.
            var body = Substring(s)
            var sign = ""
            if let first = body.first, first == "-" || first == "+" || first == " " {
                sign = String(first)
                body = body.dropFirst()
            }
            return sign + String(repeating: "0", count: width - count) + body
        }
        return fill + s
    }

    private static func formatString(_ s: String, _ v: TemplateValue, _ d: Directive) -> String {
        switch d.verb {
        case "v", "s":
            var text = s
            if let precision = d.precision { text = String(String.UnicodeScalarView(s.unicodeScalars.prefix(precision))) }
            return pad(text, d, zeroAllowed: true)
        case "q":
            return pad(quote(s), d, zeroAllowed: false)
        case "x", "X":
            let hex = s.utf8.map { hexByte($0, upper: d.verb == "X") }.joined()
            return pad((d.sharp ? (d.verb == "X" ? "0X" : "0x") : "") + hex, d, zeroAllowed: false)
        default:
            return badVerb(v, d)
        }
    }

    private static func hexByte(_ b: UInt8, upper: Bool) -> String {
        let digits = upper ? Array("0123456789ABCDEF") : Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    private static func formatInteger(_ i: Int64, _ v: TemplateValue, _ d: Directive) -> String {
        let base: Int
        var prefix = ""
        switch d.verb {
        case "v", "d": base = 10
        case "x": base = 16; prefix = d.sharp ? "0x" : ""
        case "X": base = 16; prefix = d.sharp ? "0X" : ""
        case "o": base = 8; prefix = d.sharp ? "0" : ""
        case "b": base = 2
        case "c":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: i)).map { String($0) } ?? "\u{FFFD}", d, zeroAllowed: false)
        case "q":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: i)).map { "'" + String(quote(String($0)).dropFirst().dropLast()) + "'" } ?? "'\u{FFFD}'", d, zeroAllowed: false)
        default:
            return badVerb(v, d)
        }
        var digits = String(i.magnitude, radix: base, uppercase: d.verb == "X")
        if let precision = d.precision, digits.count < precision {
            digits = String(repeating: "0", count: precision - digits.count) + digits
        }
        let sign = i < 0 ? "-" : d.plus ? "+" : d.space ? " " : ""
        return pad(sign + prefix + digits, d, zeroAllowed: d.precision == nil)
    }

    private static func formatDouble(_ x: Double, _ v: TemplateValue, _ d: Directive) -> String {
        var body: String
        switch d.verb {
        case "v", "g", "G":
            if let precision = d.precision {
                body = cFormat(x, "g", precision: precision)
            } else {
                body = shortestG(x)
            }
            if d.verb == "G" { body = body.uppercased() }
        case "e", "E", "f", "F":
            let c: Character = d.verb == "F" ? "f" : Character(d.verb)
            body = cFormat(x, c, precision: d.precision ?? 6)
        default:
            return badVerb(v, d)
        }
        if x.isNaN { return pad(d.plus ? "+NaN" : "NaN", d, zeroAllowed: false) }
        if !body.hasPrefix("-") && (d.plus || d.space) { body = (d.plus ? "+" : " ") + body }
        return pad(body, d, zeroAllowed: x.isFinite)
    }

    private static func cFormat(_ x: Double, _ verb: Character, precision: Int) -> String {
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.\(precision)\(verb)", x)
    }

    // MARK: Shortest float forms (strconv.FormatFloat with precision -1)

    /// The shortest decimal digits that read back as `x`, and where the point goes:
    /// value = 0.d1d2d3… × 10^point.
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], point: Int) {
        if x == 0 { return ([UInt8(ascii: "0")], 1) }
        // Swift's description is already the shortest round-trip form; only its layout differs from Go's.
        let text = x.magnitude.description
        let parts = text.split(separator: "e")
        var exponent = parts.count > 1 ? Int(parts[1])! : 0
        var digits: [UInt8] = []
        var point: Int?
        for c in parts[0].utf8 {
            if c == UInt8(ascii: ".") { point = digits.count } else { digits.append(c) }
        }
        exponent += point ?? digits.count
        while let first = digits.first, first == UInt8(ascii: "0"), digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0"), digits.count > 1 { digits.removeLast() }
        return (digits, exponent)
    }

    /// `%v` / `%g` for a float64: for the shortest form Go switches to an exponent below 1e-4 and from
    /// 1e+06 on (6 is its fixed threshold there), so `1e+06` but `100000`.
    static func shortestG(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        let (digits, point) = shortestDigits(x)
        let exponent = point - 1
        let body = exponent < -4 || exponent >= 6 && x != 0
            ? exponentForm(digits, exponent) : fixedForm(digits, point)
        return (x.sign == .minus ? "-" : "") + body
    }

    static func exponentForm(_ digits: [UInt8], _ exponent: Int) -> String {
        var s = String(decoding: digits.prefix(1), as: UTF8.self)
        if digits.count > 1 { s += "." + String(decoding: digits.dropFirst(), as: UTF8.self) }
        let magnitude = String(abs(exponent))
        return s + (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
    }

    static func fixedForm(_ digits: [UInt8], _ point: Int) -> String {
        let text = String(decoding: digits, as: UTF8.self)
        if digits == [UInt8(ascii: "0")] { return "0" }
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + text }
        if point >= digits.count { return text + String(repeating: "0", count: point - digits.count) }
        let split = text.index(text.startIndex, offsetBy: point)
        return text[..<split] + "." + text[split...]
    }

    // MARK: Quoting (strconv.Quote)

    /// The escapes of a backslash and one letter that strconv.Quote and encoding/json both write; Quote
    /// also writes `\a` and `\v`, which JSON does not have.
    static func sharedEscape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return nil
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            if let escape = sharedEscape(scalar) {
                out += escape
                continue
            }
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hexByte(UInt8(scalar.value), upper: false)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        case .spaceSeparator:
            return scalar == " "
        default:
            return true
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
