/// A parse or execution error with Go's text. docker prints `template parsing error: ` before either;
/// it exits 64 for a parse error and 1 for an execution error.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case parse, execution }

    public var kind: Kind
    public var message: String

    public var description: String { message }

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The subset of Go's text/template that docker's `--format` / `-f` options use.
public struct GoTemplate: Sendable {
    /// Go's `missingkey` option: what `.Key` on a map without that key does.
    public enum MissingKey: Sendable {
        /// The default (`missingkey=default`, as docker's ps and images run): the result is "no value"
        /// and prints `<no value>`.
        case noValue
        /// `missingkey=zero`: the map's element zero value, so "" for a `map[string]string`; an
        /// `interface{}` map still yields no value.
        case zero
        /// `missingkey=error`, as docker's inspect fallback sets it.
        case error
    }

    let name: String
    let text: String
    let root: [TemplateNode]
    let missingKey: MissingKey

    /// `name` appears in messages (`template: NAME:1: …`); docker's `--format` templates have none.
    public init(_ text: String, name: String = "", missingKey: MissingKey = .noValue) throws(TemplateError) {
        self.name = name
        self.text = text
        self.missingKey = missingKey
        root = try TemplateParser.parse(text, name: name)
    }

    private init(copying other: GoTemplate, missingKey: MissingKey) {
        name = other.name
        text = other.text
        root = other.root
        self.missingKey = missingKey
    }

    public func execute(_ data: TemplateValue) throws(TemplateError) -> String {
        var executor = TemplateExecutor(template: self, data: data)
        return try executor.run()
    }

    /// `docker inspect -f`: the template first runs over the typed Go value; if that fails, docker
    /// decodes the daemon's raw JSON into maps and runs it again with `missingkey=error`, and it is
    /// that second run's output or error that the user sees. So `{{.State.Bogus}}` reports
    /// `map has no entry for key "Bogus"` while `{{.Config.Labels.nokey}}` prints `<no value>`.
    public func executeInspect(_ typed: TemplateValue) throws(TemplateError) -> String {
        do {
            return try execute(typed)
        } catch {
            return try GoTemplate(copying: self, missingKey: .error).execute(typed.decodedJSON)
        }
    }
}
