extension TemplateValue {
    /// The value as Go's encoding/json writes it: keys in the given order, floats as Go formats them.
    /// `indent` nil is `json.Marshal`'s compact form; "    " is `docker inspect`'s layout (`json.Indent`),
    /// where an empty array or object stays `[]` / `{}`. `escapeHTML` is Go's default (`json.Marshal`, and the
    /// CLI's own documents such as `docker context inspect`); docker's `json` template function turns it off, and so
    /// does the daemon (moby's `WriteJSON`), so `docker inspect` shows `a&b<c>` as it is. A ps or images row
    /// (`*formatter.…Context`) is escaped whatever the setting: its `MarshalJSON` calls `json.Marshal`.
    public func json(indent: String? = nil, escapeHTML: Bool = true) -> String {
        var writer = GoJSONWriter(indent: indent, escapeHTML: escapeHTML)
        writer.write(self, depth: 0)
        return writer.out
    }
}

extension TemplateObject {
    /// The CLI's formatter contexts, whose `MarshalJSON` writes their fields as a map (so in sorted key order).
    var marshalsItself: Bool {
        if case .structure(let typeName) = kind { return typeName.hasPrefix("*formatter.") }
        return false
    }
}

private struct GoJSONWriter {
    let indent: String?
    let escapeHTML: Bool
    var out = ""

    init(indent: String?, escapeHTML: Bool) {
        self.indent = indent
        self.escapeHTML = escapeHTML
    }

    mutating func write(_ v: TemplateValue, depth: Int) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.number(d)
        case .string(let s): writeString(s)
        case .array(let items):
            writeContainer("[", "]", items, depth: depth) { writer, item in writer.write(item, depth: depth + 1) }
        case .object(let object) where object.marshalsItself:
            var escaping = GoJSONWriter(indent: indent, escapeHTML: true)
            escaping.write(.object(TemplateObject(kind: .map(missing: nil), fields: object.sortedFields)), depth: depth)
            out += escaping.out
        case .object(let object):
            writeContainer("{", "}", object.encodedFields, depth: depth) { writer, field in
                writer.writeString(field.0)
                writer.out += writer.indent == nil ? ":" : ": "
                writer.write(field.1, depth: depth + 1)
            }
        }
    }

    private mutating func writeContainer<Element>(
        _ open: String, _ close: String, _ elements: [Element], depth: Int,
        _ writeElement: (inout GoJSONWriter, Element) -> Void
    ) {
        out += open
        guard !elements.isEmpty else {
            out += close
            return
        }
        for (i, element) in elements.enumerated() {
            if i > 0 { out += "," }
            newline(depth: depth + 1)
            writeElement(&self, element)
        }
        newline(depth: depth)
        out += close
    }

    private mutating func newline(depth: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: depth)
    }

    mutating func writeString(_ s: String) {
        out += "\""
        for scalar in s.unicodeScalars {
            if let escape = GoFormat.sharedEscape(scalar) {
                out += escape
                continue
            }
            switch scalar {
            case "<", ">", "&":
                if escapeHTML {
                    out += "\\u00" + GoFormat.hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            // Go escapes these two even with HTML escaping off: JSONP in old browsers.
            case "\u{2028}", "\u{2029}":
                out += "\\u" + GoFormat.hex(scalar.value, width: 4)
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + GoFormat.hex(scalar.value, width: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// encoding/json's float format: plain decimals, switching to an exponent (without a leading zero
    /// in a negative exponent) below 1e-6 and from 1e21 on. NaN and infinities cannot be encoded; Go
    /// fails the whole value, and docker's `json` then prints nothing, which `null` stands in for here.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let (digits, point) = GoFormat.shortestDigits(d)
        let magnitude = d.magnitude
        let sign = d.sign == .minus ? "-" : ""
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            var text = GoFormat.exponentForm(digits, point - 1)
            if let range = text.range(of: "e-0") { text.replaceSubrange(range, with: "e-") }
            return sign + text
        }
        return sign + GoFormat.fixedForm(digits, point)
    }
}
