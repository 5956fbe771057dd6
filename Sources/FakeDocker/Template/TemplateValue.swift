/// The data a Go template runs over, shaped like the Go values docker hands to `text/template`.
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case object(TemplateObject)

    /// A Go `map[string]interface{}`, as docker decodes inspect JSON for its template fallback.
    public static func map(_ fields: [(String, TemplateValue)]) -> TemplateValue {
        .object(TemplateObject(kind: .map(missing: nil), fields: fields))
    }

    /// A Go `map[string]string` (labels): a missing key reads as "" rather than `<no value>`.
    public static func stringMap(_ fields: [(String, String)]) -> TemplateValue {
        .object(TemplateObject(kind: .map(missing: .string("")), fields: fields.map { ($0.0, .string($0.1)) }))
    }

    /// A Go struct such as `*formatter.ContainerContext`: an unknown field is an error naming the type.
    /// `omitEmpty` names the fields tagged `json:",omitempty"` (see `TemplateObject.omitEmpty`).
    public static func structure(
        _ typeName: String, _ fields: [(String, TemplateValue)], methods: [String: TemplateMethod] = [:],
        omitEmpty: [String: TemplateObject.OmitEmpty] = [:]
    ) -> TemplateValue {
        .object(TemplateObject(kind: .structure(typeName: typeName), fields: fields, methods: methods, omitEmpty: omitEmpty))
    }

    /// The same data as docker's inspect fallback sees it: the daemon's JSON decoded into
    /// `interface{}`, so every struct and typed map becomes a `map[string]interface{}`, without
    /// the empty `omitempty` fields the daemon never wrote.
    public var decodedJSON: TemplateValue {
        switch self {
        case .array(let items):
            return .array(items.map(\.decodedJSON))
        case .object(let object):
            return .map(object.encodedFields.map { ($0.0, $0.1.decodedJSON) })
        default:
            return self
        }
    }
}

/// A Go method taking one string, like the ps context's `{{.Label "com.example"}}`: the result for each
/// argument, and what any other argument gives.
public struct TemplateMethod: Sendable, Equatable {
    public var results: [String: TemplateValue]
    public var otherwise: TemplateValue

    public init(results: [String: TemplateValue], otherwise: TemplateValue) {
        self.results = results
        self.otherwise = otherwise
    }

    func call(_ argument: String) -> TemplateValue { results[argument] ?? otherwise }
}

/// A map or struct with its keys in the order docker's JSON prints them.
public struct TemplateObject: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `missing` is the map's element zero value that `index` yields for an absent key:
        /// nil for `interface{}` elements (`<no value>`), "" for `map[string]string`.
        case map(missing: TemplateValue?)
        case structure(typeName: String)
    }

    /// What encoding/json counts as empty for a field tagged `json:",omitempty"`, by the field's Go type.
    public enum OmitEmpty: Sendable, Equatable {
        /// A pointer such as `*int` or `*Health`: only nil; a pointer to 0 or to a struct is written.
        case pointer
        /// A bool, number, string, slice or map: false, 0, "", nil or no elements.
        case value
    }

    public var kind: Kind
    public var fields: [(String, TemplateValue)]
    public var methods: [String: TemplateMethod]
    /// A struct's fields tagged `json:",omitempty"`, such as `State.Health` (a `*Health`) or
    /// `Config.StopTimeout` (an `*int`): a template over the typed value sees them even when empty
    /// (a nil pointer prints `<nil>`), while encoding/json, and so the daemon's JSON, leaves them out.
    public var omitEmpty: [String: OmitEmpty]

    public init(
        kind: Kind, fields: [(String, TemplateValue)], methods: [String: TemplateMethod] = [:],
        omitEmpty: [String: OmitEmpty] = [:]
    ) {
        self.kind = kind
        self.fields = fields
        self.methods = methods
        self.omitEmpty = omitEmpty
    }

    public subscript(key: String) -> TemplateValue? {
        fields.first { $0.0 == key }?.1
    }

    var isMap: Bool {
        if case .map = kind { return true }
        return false
    }

    /// The fields encoding/json writes, in order: all but the empty `omitempty` ones.
    var encodedFields: [(String, TemplateValue)] {
        fields.filter { name, value in
            switch omitEmpty[name] {
            case nil: return true
            case .pointer: return value != .null
            // For every kind a `TemplateValue` has, encoding/json's `isEmptyValue` is exactly
            // text/template's falsity (a struct is neither).
            case .value: return value.isTrue
            }
        }
    }

    /// Go ranges over and prints a map in sorted key order, whatever order it was built in.
    var sortedFields: [(String, TemplateValue)] {
        fields.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }

    public static func == (lhs: TemplateObject, rhs: TemplateObject) -> Bool {
        lhs.kind == rhs.kind && lhs.methods == rhs.methods && lhs.omitEmpty == rhs.omitEmpty
            && lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

extension TemplateValue {
    /// The Go type name that text/template and fmt put in their messages.
    var goTypeName: String {
        switch self {
        case .null: return "interface {}"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float64"
        case .string: return "string"
        case .array(let items):
            return items.allSatisfy(\.isString) ? "[]string" : "[]interface {}"
        case .object(let object):
            switch object.kind {
            case .map(missing: .some(.string)): return "map[string]string"
            case .map: return "map[string]interface {}"
            case .structure(let typeName): return typeName
            }
        }
    }

    var isString: Bool {
        if case .string = self { return true }
        return false
    }

    /// text/template's notion of truth for `if`, `with`, `and`, `or`, `not`.
    var isTrue: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let object): return object.isMap ? !object.fields.isEmpty : true
        }
    }
}
