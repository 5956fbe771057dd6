/// Go's builtin template functions plus the ones docker's `templates.Parse` adds
/// (json, split, join, title, lower, upper, pad, truncate).
enum TemplateFunctions {
    /// How a Go parameter type takes an argument: literals are checked against it, values validated.
    enum Parameter {
        case any
        case string
        case int
        case strings
    }

    struct Signature {
        var fixed: [Parameter]
        var variadic: Parameter?
    }

    /// An error returned by the Go function; the executor wraps it as "error calling NAME: …".
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static let signatures: [String: Signature] = [
        "and": Signature(fixed: [.any], variadic: .any),
        "or": Signature(fixed: [.any], variadic: .any),
        "not": Signature(fixed: [.any]),
        "len": Signature(fixed: [.any]),
        "index": Signature(fixed: [.any], variadic: .any),
        "print": Signature(fixed: [], variadic: .any),
        "println": Signature(fixed: [], variadic: .any),
        "printf": Signature(fixed: [.string], variadic: .any),
        "eq": Signature(fixed: [.any], variadic: .any),
        "ne": Signature(fixed: [.any, .any]),
        "lt": Signature(fixed: [.any, .any]),
        "le": Signature(fixed: [.any, .any]),
        "gt": Signature(fixed: [.any, .any]),
        "ge": Signature(fixed: [.any, .any]),
        "json": Signature(fixed: [.any]),
        "split": Signature(fixed: [.string, .string]),
        "join": Signature(fixed: [.strings, .string]),
        "title": Signature(fixed: [.string]),
        "lower": Signature(fixed: [.string]),
        "upper": Signature(fixed: [.string]),
        "pad": Signature(fixed: [.string, .int, .int]),
        "truncate": Signature(fixed: [.string, .int]),
    ]

    static func isDefined(_ name: String) -> Bool { signatures[name] != nil }

    /// Arguments arrive validated against the signature; nil is Go's invalid value (a missing map key).
    static func call(_ name: String, _ args: [TemplateValue?]) throws(Failure) -> TemplateValue? {
        func string(_ i: Int) -> String {
            if case .string(let s)? = args[i] { return s }
            return ""
        }
        func int(_ i: Int) -> Int64 {
            if case .int(let n)? = args[i] { return n }
            return 0
        }
        let values = args.map { $0 ?? .null }
        switch name {
        case "not": return .bool(!(args[0]?.isTrue ?? false))
        case "len": return try length(args[0])
        case "index": return try index(args[0], args.dropFirst())
        case "print": return .string(GoFormat.sprint(values))
        case "println": return .string(GoFormat.sprintln(values))
        case "printf": return .string(GoFormat.sprintf(string(0), Array(values.dropFirst())))
        case "eq": return .bool(try equal(args[0], args.dropFirst()))
        case "ne": return .bool(!(try equal(args[0], args[1...])))
        case "lt": return .bool(try less(args[0], args[1]))
        case "le": return .bool(try lessOrEqual(args[0], args[1]))
        case "gt": return .bool(!(try lessOrEqual(args[0], args[1])))
        case "ge": return .bool(!(try less(args[0], args[1])))
        case "json": return .string((args[0] ?? .null).json(escapeHTML: false))
        case "split": return .array(split(string(0), separator: string(1)).map(TemplateValue.string))
        case "join":
            guard case .array(let items)? = args[0] else { return .string("") }
            return .string(items.map { item in
                if case .string(let s) = item { return s }
                return ""
            }.joined(separator: string(1)))
        case "title": return .string(title(string(0)))
        case "lower": return .string(mapScalars(string(0)) { $0.properties.lowercaseMapping })
        case "upper": return .string(mapScalars(string(0)) { $0.properties.uppercaseMapping })
        case "pad":
            // docker's padWithSpace leaves an empty string empty.
            let source = string(0)
            guard !source.isEmpty else { return .string("") }
            return .string(spaces(int(1)) + source + spaces(int(2)))
        case "truncate": return .string(try truncate(string(0), int(1)))
        default: return nil
        }
    }

    private static func spaces(_ n: Int64) -> String { String(repeating: " ", count: Int(max(0, n))) }

    // MARK: Go builtins

    private static func length(_ item: TemplateValue?) throws(Failure) -> TemplateValue {
        switch item {
        case nil, .null?: throw Failure("reflect: call of reflect.Value.Type on zero Value")
        case .string(let s)?: return .int(Int64(s.utf8.count))
        case .array(let items)?: return .int(Int64(items.count))
        case .object(let object)? where object.isMap: return .int(Int64(object.fields.count))
        case let other?: throw Failure("len of type \(other.goTypeName)")
        }
    }

    private static func index(_ item: TemplateValue?, _ indexes: ArraySlice<TemplateValue?>) throws(Failure) -> TemplateValue? {
        guard var current = item, current != .null else { throw Failure("index of untyped nil") }
        for (n, key) in indexes.enumerated() {
            let found: TemplateValue?
            switch current {
            case .array(let items):
                found = items[try position(key, count: items.count)]
            case .string(let s):
                let bytes = Array(s.utf8)
                found = .int(Int64(bytes[try position(key, count: bytes.count)]))
            case .object(let object) where object.isMap:
                guard case .string(let name)? = key else {
                    throw Failure("value has type \(key?.goTypeName ?? "interface {}"); should be string")
                }
                guard case .map(let missing) = object.kind else { return nil }
                found = object[name] ?? missing
            default:
                throw Failure("can't index item of type \(current.goTypeName)")
            }
            guard let next = found else {
                if n == indexes.count - 1 { return nil }
                throw Failure("index of untyped nil")
            }
            current = next
        }
        return current
    }

    private static func position(_ key: TemplateValue?, count: Int) throws(Failure) -> Int {
        switch key {
        case .int(let i)?:
            if i < 0 || i > count { throw Failure("index out of range: \(i)") }
            // Go checks against the length only loosely and lets reflect panic on the last slot.
            if i == count { throw Failure("reflect: slice index out of range") }
            return Int(i)
        case nil, .null?:
            throw Failure("cannot index slice/array with nil")
        case let other?:
            throw Failure("cannot index slice/array with type \(other.goTypeName)")
        }
    }

    private enum BasicKind { case invalid, bool, int, float, string, other }

    private static func basicKind(_ v: TemplateValue?) -> BasicKind {
        switch v {
        case nil, .null?: return .invalid
        case .bool?: return .bool
        case .int?: return .int
        case .double?: return .float
        case .string?: return .string
        default: return .other
        }
    }

    private static func equal(_ a: TemplateValue?, _ others: ArraySlice<TemplateValue?>) throws(Failure) -> Bool {
        guard !others.isEmpty else { throw Failure("missing argument for comparison") }
        let k1 = basicKind(a)
        for b in others {
            let k2 = basicKind(b)
            if k1 != k2 {
                if k1 != .invalid && k2 != .invalid { throw Failure("incompatible types for comparison") }
                continue
            }
            switch k1 {
            case .invalid:
                return true
            case .other:
                let value = a ?? .null
                throw Failure("non-comparable type \(GoFormat.format(value, GoFormat.Directive(verb: "s"))): \(value.goTypeName)")
            default:
                if a == b { return true }
            }
        }
        return false
    }

    private static func less(_ a: TemplateValue?, _ b: TemplateValue?) throws(Failure) -> Bool {
        let (k1, k2) = (basicKind(a), basicKind(b))
        guard [.int, .float, .string].contains(k1), [.int, .float, .string].contains(k2) else {
            throw Failure("invalid type for comparison")
        }
        guard k1 == k2 else { throw Failure("incompatible types for comparison") }
        switch (a, b) {
        case (.int(let x)?, .int(let y)?): return x < y
        case (.double(let x)?, .double(let y)?): return x < y
        case (.string(let x)?, .string(let y)?): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        default: return false
        }
    }

    private static func lessOrEqual(_ a: TemplateValue?, _ b: TemplateValue?) throws(Failure) -> Bool {
        if try less(a, b) { return true }
        return try equal(a, [b])
    }

    // MARK: docker's functions (Go's strings package)

    /// strings.Split: an empty separator splits after each character.
    static func split(_ s: String, separator: String) -> [String] {
        guard !separator.isEmpty else { return s.unicodeScalars.map { String($0) } }
        let bytes = Array(s.utf8)
        let sep = Array(separator.utf8)
        var parts: [String] = []
        var start = 0
        var i = 0
        while i + sep.count <= bytes.count {
            if bytes[i..<i + sep.count].elementsEqual(sep) {
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// strings.Title: upper-case (title-case) every letter that follows a separator.
    static func title(_ s: String) -> String {
        var previous: Unicode.Scalar = " "
        return mapScalars(s) { scalar in
            defer { previous = scalar }
            return isSeparator(previous) ? scalar.properties.titlecaseMapping : String(scalar)
        }
    }

    private static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII {
            return !(("0"..."9").contains(r) || ("a"..."z").contains(r) || ("A"..."Z").contains(r) || r == "_")
        }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return false
        default:
            return r.properties.isWhitespace
        }
    }

    /// Go maps case one rune to one rune (unicode.ToUpper): a letter whose full mapping is longer,
    /// like ß → SS, stays as it is.
    private static func mapScalars(_ s: String, _ transform: (Unicode.Scalar) -> String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let mapped = transform(scalar).unicodeScalars
            if mapped.count == 1 { out.append(mapped.first!) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// docker's truncateWithLength cuts bytes, not characters; a cut inside a UTF-8 sequence leaves
    /// bytes that a Swift String shows as U+FFFD.
    private static func truncate(_ s: String, _ length: Int64) throws(Failure) -> String {
        let bytes = Array(s.utf8)
        if Int64(bytes.count) < length { return s }
        guard length >= 0 else { throw Failure("runtime error: slice bounds out of range [:\(length)]") }
        return String(decoding: bytes.prefix(Int(length)), as: UTF8.self)
    }
}
