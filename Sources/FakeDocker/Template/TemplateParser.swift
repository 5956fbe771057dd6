/// The parse tree, shaped like Go's text/template/parse nodes so that error positions and the
/// `<…>` context in execution errors come out as Go prints them.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    case control(TemplateControl)
    case breakLoop
    case continueLoop
}

struct TemplateControl: Sendable {
    enum Kind: Sendable { case ifBlock, withBlock, rangeBlock }
    var kind: Kind
    var pipeline: TemplatePipeline
    var list: [TemplateNode]
    var elseList: [TemplateNode]?
}

struct TemplatePipeline: Sendable {
    var pos: Int
    var declarations: [String] = []
    var isAssign = false
    var commands: [TemplateCommand] = []

    var description: String {
        let commandText = commands.map(\.description).joined(separator: " | ")
        return declarations.isEmpty
            ? commandText : declarations.joined(separator: ", ") + (isAssign ? " = " : " := ") + commandText
    }
}

struct TemplateCommand: Sendable {
    var pos: Int
    var args: [TemplateOperand] = []

    var description: String {
        args.map { arg in
            if case .pipeline(let pipe) = arg { return "(\(pipe.description))" }
            return arg.description
        }.joined(separator: " ")
    }
}

struct TemplateNumber: Sendable {
    var text: String
    var int: Int64?
    var double: Double?
    /// What the literal is when it stands alone or goes to an `interface{}` parameter: Go's
    /// "ideal constant" rule makes `1e3` a float64 but `1000` an int.
    var constant: TemplateValue
}

indirect enum TemplateOperand: Sendable {
    case field(pos: Int, names: [String])
    case variable(pos: Int, name: String, fields: [String])
    case chain(pos: Int, base: TemplateOperand, fields: [String])
    case dot(pos: Int)
    case nilLiteral(pos: Int)
    case bool(pos: Int, Bool)
    case number(pos: Int, TemplateNumber)
    case string(pos: Int, quoted: String, value: String)
    case identifier(pos: Int, name: String)
    case pipeline(TemplatePipeline)

    var pos: Int {
        switch self {
        case .field(let pos, _), .variable(let pos, _, _), .chain(let pos, _, _), .dot(let pos),
            .nilLiteral(let pos), .bool(let pos, _), .number(let pos, _), .string(let pos, _, _),
            .identifier(let pos, _):
            return pos
        case .pipeline(let pipe):
            return pipe.pos
        }
    }

    var description: String {
        switch self {
        case .field(_, let names): return names.map { "." + $0 }.joined()
        case .variable(_, let name, let fields): return name + fields.map { "." + $0 }.joined()
        case .chain(_, let base, let fields):
            let baseText: String
            if case .pipeline(let pipe) = base { baseText = "(\(pipe.description))" } else { baseText = base.description }
            return baseText + fields.map { "." + $0 }.joined()
        case .dot: return "."
        case .nilLiteral: return "nil"
        case .bool(_, let b): return b ? "true" : "false"
        case .number(_, let number): return number.text
        case .string(_, let quoted, _): return quoted
        case .identifier(_, let name): return name
        case .pipeline(let pipe): return pipe.description
        }
    }
}

/// Go's recursive-descent parser (text/template/parse/parse.go), with its error texts.
struct TemplateParser {
    private let tokens: [TemplateToken]
    private let name: String
    private var index = 0
    /// The furthest token read: Go reports a parse error at the line of the last token it lexed.
    private var furthest = 0
    private var vars = ["$"]
    private var rangeDepth = 0
    private var actionLine = 0

    static func parse(_ text: String, name: String) throws(TemplateError) -> [TemplateNode] {
        var parser = TemplateParser(tokens: TemplateLexer.tokens(of: text), name: name)
        return try parser.parseRoot()
    }

    private init(tokens: [TemplateToken], name: String) {
        self.tokens = tokens
        self.name = name
    }

    // MARK: Token access

    private mutating func next() -> TemplateToken {
        // Reading past the end keeps returning the final EOF or error token, as Go's lexer does.
        let token = tokens[min(index, tokens.count - 1)]
        furthest = max(furthest, min(index, tokens.count - 1))
        index += 1
        return token
    }

    private mutating func peek() -> TemplateToken {
        furthest = max(furthest, min(index, tokens.count - 1))
        return tokens[min(index, tokens.count - 1)]
    }

    private mutating func backup() { index -= 1 }

    private mutating func nextNonSpace() -> TemplateToken {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let token = nextNonSpace()
        backup()
        return token
    }

    // MARK: Errors

    private func error(_ message: String) -> TemplateError {
        TemplateError(kind: .parse, message: "template: \(name):\(tokens[furthest].line): \(message)")
    }

    private func unexpected(_ token: TemplateToken, _ context: String) -> TemplateError {
        if token.kind == .error {
            var extra = ""
            if actionLine != 0 && actionLine != token.line {
                extra = token.value.hasSuffix(" action")
                    ? " started at \(name):\(actionLine)" : " in action started at \(name):\(actionLine)"
            }
            return error(token.value + extra)
        }
        return error("unexpected \(token.description) in \(context)")
    }

    private mutating func expect(_ kind: TemplateToken.Kind, _ context: String) throws(TemplateError) -> TemplateToken {
        let token = nextNonSpace()
        guard token.kind == kind else { throw unexpected(token, context) }
        return token
    }

    // MARK: Structure

    private enum ListItem {
        case node(TemplateNode)
        case end
        case elseMarker
    }

    private mutating func parseRoot() throws(TemplateError) -> [TemplateNode] {
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim, case .keyword(.define) = tokens[(index + 1)...].first(where: { $0.kind != .space })?.kind {
                throw error("{{define}} is not supported by fake-docker")
            }
            switch try textOrAction() {
            case .node(let node): root.append(node)
            case .end: throw error("unexpected {{end}}")
            case .elseMarker: throw error("unexpected {{else}}")
            }
        }
        return root
    }

    private mutating func itemList() throws(TemplateError) -> ([TemplateNode], ListItem) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let item = try textOrAction()
            guard case .node(let node) = item else { return (list, item) }
            list.append(node)
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws(TemplateError) -> ListItem {
        let token = nextNonSpace()
        switch token.kind {
        case .text:
            return .node(.text(token.value))
        case .leftDelim:
            actionLine = token.line
            defer { actionLine = 0 }
            return try action()
        default:
            throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> ListItem {
        let token = nextNonSpace()
        switch token.kind {
        case .keyword(.break), .keyword(.continue):
            let isBreak = token.kind == .keyword(.break)
            let next = nextNonSpace()
            guard next.kind == .rightDelim else { throw unexpected(next, "{{\(token.value)}}") }
            guard rangeDepth > 0 else { throw error("{{\(token.value)}} outside {{range}}") }
            return .node(isBreak ? .breakLoop : .continueLoop)
        case .keyword(.else):
            let next = peekNonSpace()
            if next.kind == .keyword(.if) || next.kind == .keyword(.with) { return .elseMarker }
            _ = try expect(.rightDelim, "else")
            return .elseMarker
        case .keyword(.end):
            _ = try expect(.rightDelim, "end")
            return .end
        case .keyword(.if):
            return .node(.control(try control(.ifBlock, "if")))
        case .keyword(.with):
            return .node(.control(try control(.withBlock, "with")))
        case .keyword(.range):
            return .node(.control(try control(.rangeBlock, "range")))
        case .keyword(let keyword):
            throw error("{{\(keyword.rawValue)}} is not supported by fake-docker")
        default:
            backup()
            return .node(.action(try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func control(_ kind: TemplateControl.Kind, _ context: String) throws(TemplateError) -> TemplateControl {
        let savedVars = vars.count
        defer { vars.removeSubrange(savedVars...) }
        let pipe = try pipeline(context, end: .rightDelim)
        if kind == .rangeBlock { rangeDepth += 1 }
        let (list, terminator) = try itemList()
        if kind == .rangeBlock { rangeDepth -= 1 }
        var elseList: [TemplateNode]?
        if case .elseMarker = terminator {
            // `{{else if …}}` / `{{else with …}}` is an `{{else}}` holding a nested if/with.
            if kind == .ifBlock && peek().kind == .keyword(.if) {
                _ = next()
                elseList = [.control(try control(.ifBlock, "if"))]
            } else if kind == .withBlock && peek().kind == .keyword(.with) {
                _ = next()
                elseList = [.control(try control(.withBlock, "with"))]
            } else {
                let (list, terminator) = try itemList()
                guard case .end = terminator else { throw error("expected end; found {{else}}") }
                elseList = list
            }
        }
        return TemplateControl(kind: kind, pipeline: pipe, list: list, elseList: elseList)
    }

    // MARK: Pipelines

    private mutating func pipeline(_ context: String, end: TemplateToken.Kind) throws(TemplateError) -> TemplatePipeline {
        var pipe = TemplatePipeline(pos: peekNonSpace().pos)
        declarations: while peekNonSpace().kind == .variable {
            let variableIndex = index
            let variable = nextNonSpace()
            let next = peekNonSpace()
            if next.kind == .assign || next.kind == .declare {
                pipe.isAssign = next.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append(variable.value)
                vars.append(variable.value)
            } else if next.kind == .char && next.value == "," {
                _ = nextNonSpace()
                pipe.declarations.append(variable.value)
                vars.append(variable.value)
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else {
                // Not a declaration: give the variable back to the command that uses it.
                index = variableIndex
            }
            break
        }
        while true {
            let token = nextNonSpace()
            switch token.kind {
            case end:
                if pipe.commands.isEmpty { throw error("missing value for \(context)") }
                for (i, command) in pipe.commands.enumerated().dropFirst() {
                    switch command.args[0] {
                    case .bool, .dot, .nilLiteral, .number, .string:
                        throw error("non executable command in pipeline stage \(i + 1)")
                    default: break
                    }
                }
                return pipe
            case .bool, .charConstant, .dot, .field, .identifier, .number, .nilLiteral, .rawString, .string,
                .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private mutating func command() throws(TemplateError) -> TemplateCommand {
        var command = TemplateCommand(pos: peekNonSpace().pos)
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.args.append(operand) }
            let token = next()
            switch token.kind {
            case .space:
                continue
            case .rightDelim, .rightParen:
                backup()
            case .pipe:
                break
            default:
                throw unexpected(token, "operand")
            }
            break
        }
        if command.args.isEmpty { throw error("empty command") }
        return command
    }

    private mutating func operand() throws(TemplateError) -> TemplateOperand? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let chainPos = peek().pos
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().value.dropFirst())) }
        switch node {
        case .field(_, let names):
            return .field(pos: chainPos, names: names + fields)
        case .variable(_, let name, let more):
            return .variable(pos: chainPos, name: name, fields: more + fields)
        case .bool, .string, .number, .nilLiteral, .dot:
            throw error("unexpected . after term \(GoFormat.quote(node.description))")
        default:
            return .chain(pos: chainPos, base: node, fields: fields)
        }
    }

    private mutating func term() throws(TemplateError) -> TemplateOperand? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard TemplateFunctions.isDefined(token.value) else {
                throw error("function \(GoFormat.quote(token.value)) not defined")
            }
            return .identifier(pos: token.pos, name: token.value)
        case .dot:
            return .dot(pos: token.pos)
        case .nilLiteral:
            return .nilLiteral(pos: token.pos)
        case .variable:
            guard vars.contains(token.value) else { throw error("undefined variable \(GoFormat.quote(token.value))") }
            return .variable(pos: token.pos, name: token.value, fields: [])
        case .field:
            return .field(pos: token.pos, names: [String(token.value.dropFirst())])
        case .bool:
            return .bool(pos: token.pos, token.value == "true")
        case .number, .charConstant:
            return .number(pos: token.pos, try number(token))
        case .leftParen:
            return .pipeline(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let value = GoLiteral.unquote(token.value) else { throw error("invalid syntax") }
            return .string(pos: token.pos, quoted: token.value, value: value)
        default:
            backup()
            return nil
        }
    }

    private func number(_ token: TemplateToken) throws(TemplateError) -> TemplateNumber {
        let text = token.value
        if token.kind == .charConstant {
            guard let scalar = GoLiteral.unquoteChar(text) else {
                throw error("malformed character constant: \(text)")
            }
            let value = Int64(scalar.value)
            return TemplateNumber(text: text, int: value, double: Double(value), constant: .int(value))
        }
        if let int = GoLiteral.parseInt(text) {
            let looksFloat = !GoLiteral.isHexInt(text) && text.contains(where: { ".eEpP".contains($0) })
            return TemplateNumber(
                text: text, int: int, double: Double(int), constant: looksFloat ? .double(Double(int)) : .int(int))
        }
        guard let double = GoLiteral.parseFloat(text) else { throw error("illegal number syntax: \(GoFormat.quote(text))") }
        guard text.contains(where: { ".eEpP".contains($0) }) else {
            throw error("integer overflow: \(GoFormat.quote(text))")
        }
        let int = double.rounded() == double && abs(double) < 9.2e18 ? Int64(double) : nil
        return TemplateNumber(text: text, int: int, double: double, constant: .double(double))
    }
}
