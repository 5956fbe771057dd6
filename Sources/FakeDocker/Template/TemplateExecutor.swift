/// Go's text/template/exec.go over `TemplateValue`. A `TemplateValue?` of nil is Go's invalid
/// `reflect.Value`: what a missing map key yields, printed as `<no value>`.
struct TemplateExecutor {
    private enum Interrupt: Error {
        case failed(TemplateError)
        case breakLoop
        case continueLoop
    }

    /// The node Go's `state.at` last pointed to: execution errors name it, wherever they arise.
    private enum Site {
        case operand(TemplateOperand)
        case command(TemplateCommand)
        case pipeline(TemplatePipeline)

        var pos: Int {
            switch self {
            case .operand(let operand): return operand.pos
            case .command(let command): return command.pos
            case .pipeline(let pipeline): return pipeline.pos
            }
        }

        var description: String {
            switch self {
            case .operand(let operand): return operand.description
            case .command(let command): return command.description
            case .pipeline(let pipeline): return pipeline.description
            }
        }
    }

    /// The value piped in from the previous command, if any (Go's `final`, with `missingVal` as `.none`).
    private enum Final {
        case none
        case value(TemplateValue?)

        var isPresent: Bool {
            if case .value = self { return true }
            return false
        }
    }

    private let template: GoTemplate
    private var variables: [(name: String, value: TemplateValue?)]
    private var site: Site?
    private var output = ""

    init(template: GoTemplate, data: TemplateValue) {
        self.template = template
        variables = [("$", data)]
    }

    mutating func run() throws(TemplateError) -> String {
        do throws(Interrupt) {
            try walk(variables[0].value, template.root)
        } catch .failed(let error) {
            throw error
        } catch {
            // The parser only accepts break and continue inside a range, which consumes them.
        }
        return output
    }

    // MARK: Errors

    private func fail(_ message: String) -> Interrupt {
        let name = template.name
        guard let site else {
            return .failed(TemplateError(kind: .execution, message: "template: \(name): \(message)"))
        }
        let before = template.text.utf8.prefix(site.pos)
        let line = 1 + before.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        let column = before.lastIndex(of: UInt8(ascii: "\n")).map { before.distance(from: $0, to: before.endIndex) - 1 } ?? site.pos
        return .failed(TemplateError(
            kind: .execution,
            message: "template: \(name):\(line):\(column): executing \(GoFormat.quote(name)) at <\(site.description)>: \(message)"))
    }

    // MARK: Walking the tree

    private mutating func walk(_ dot: TemplateValue?, _ nodes: [TemplateNode]) throws(Interrupt) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .action(let pipeline):
                let value = try evalPipeline(dot, pipeline)
                if pipeline.declarations.isEmpty { output += value.map(GoFormat.value) ?? "<no value>" }
            case .control(let control) where control.kind == .rangeBlock:
                try walkRange(dot, control)
            case .control(let control):
                let mark = variables.count
                defer { variables.removeSubrange(mark...) }
                let value = try evalPipeline(dot, control.pipeline)
                if value?.isTrue ?? false {
                    try walk(control.kind == .withBlock ? value : dot, control.list)
                } else if let elseList = control.elseList {
                    try walk(dot, elseList)
                }
            case .breakLoop:
                throw .breakLoop
            case .continueLoop:
                throw .continueLoop
            }
        }
    }

    private mutating func walkRange(_ dot: TemplateValue?, _ range: TemplateControl) throws(Interrupt) {
        let outer = variables.count
        defer { variables.removeSubrange(outer...) }
        let value = try evalPipeline(dot, range.pipeline)
        let declarations = range.pipeline.declarations
        var iterations: [(key: TemplateValue, element: TemplateValue)]
        switch value {
        case .array(let items)?:
            iterations = items.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .object(let object)? where object.isMap:
            // Go ranges over a map in sorted key order.
            iterations = object.sortedFields.map { (.string($0.0), $0.1) }
        case .int(let count)?:
            if declarations.count > 1 { throw fail("can't use \(count) to iterate over more than one variable") }
            iterations = (0..<max(0, count)).map { (.int($0), .int($0)) }
        case nil, .null?:
            // A nil slice or map: nothing to range over, not an error.
            iterations = []
        case let other?:
            throw fail("range can't iterate over \(GoFormat.value(other))")
        }
        let mark = variables.count
        loop: for (key, element) in iterations {
            if range.pipeline.isAssign {
                if declarations.count > 1 {
                    try setVariable(declarations[0], key)
                    try setVariable(declarations[1], element)
                } else if let only = declarations.first {
                    try setVariable(only, element)
                }
            } else if !declarations.isEmpty {
                // The declared variables sit on top of the stack: the element last, the index before it.
                variables[variables.count - 1].value = element
                if declarations.count > 1 { variables[variables.count - 2].value = key }
            }
            do throws(Interrupt) {
                try walk(element, range.list)
            } catch .continueLoop {
            } catch .breakLoop {
                break loop
            }
            variables.removeSubrange(mark...)
        }
        if iterations.isEmpty, let elseList = range.elseList { try walk(dot, elseList) }
    }

    // MARK: Variables

    private func variable(_ name: String) throws(Interrupt) -> TemplateValue? {
        guard let found = variables.last(where: { $0.name == name }) else { throw fail("undefined variable: \(name)") }
        return found.value
    }

    private mutating func setVariable(_ name: String, _ value: TemplateValue?) throws(Interrupt) {
        guard let i = variables.lastIndex(where: { $0.name == name }) else { throw fail("undefined variable: \(name)") }
        variables[i].value = value
    }

    // MARK: Pipelines and commands

    private mutating func evalPipeline(_ dot: TemplateValue?, _ pipeline: TemplatePipeline) throws(Interrupt) -> TemplateValue? {
        site = .pipeline(pipeline)
        var value = Final.none
        for command in pipeline.commands {
            value = .value(try evalCommand(dot, command, final: value))
        }
        guard case .value(let result) = value else { return nil }
        for name in pipeline.declarations {
            if pipeline.isAssign {
                try setVariable(name, result)
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private mutating func evalCommand(_ dot: TemplateValue?, _ command: TemplateCommand, final: Final) throws(Interrupt) -> TemplateValue? {
        let first = command.args[0]
        switch first {
        case .field(_, let names):
            site = .operand(first)
            return try evalFieldChain(dot, receiver: dot, node: first, names, args: command.args, final: final)
        case .chain:
            return try evalChain(dot, first, args: command.args, final: final)
        case .identifier(_, let name):
            site = .operand(first)
            return try evalCall(dot, name, node: .command(command), args: command.args, final: final)
        case .pipeline(let pipeline):
            try notAFunction(command.args, final)
            return try evalPipeline(dot, pipeline)
        case .variable:
            return try evalVariable(dot, first, args: command.args, final: final)
        default:
            site = .operand(first)
            try notAFunction(command.args, final)
            return try literal(dot, first)
        }
    }

    private func notAFunction(_ args: [TemplateOperand], _ final: Final) throws(Interrupt) {
        if args.count > 1 || final.isPresent {
            throw fail("can't give argument to non-function \(args[0].description)")
        }
    }

    private func literal(_ dot: TemplateValue?, _ operand: TemplateOperand) throws(Interrupt) -> TemplateValue? {
        switch operand {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .number(_, let number): return number.constant
        case .string(_, _, let value): return .string(value)
        case .nilLiteral: throw fail("nil is not a command")
        default: throw fail("can't evaluate command \(GoFormat.quote(operand.description))")
        }
    }

    private mutating func evalVariable(_ dot: TemplateValue?, _ operand: TemplateOperand, args: [TemplateOperand], final: Final) throws(Interrupt) -> TemplateValue? {
        site = .operand(operand)
        guard case .variable(_, let name, let fields) = operand else { return nil }
        let value = try variable(name)
        if fields.isEmpty {
            try notAFunction(args, final)
            return value
        }
        return try evalFieldChain(dot, receiver: value, node: operand, fields, args: args, final: final)
    }

    private mutating func evalChain(_ dot: TemplateValue?, _ operand: TemplateOperand, args: [TemplateOperand], final: Final) throws(Interrupt) -> TemplateValue? {
        site = .operand(operand)
        guard case .chain(_, let base, let fields) = operand else { return nil }
        if case .nilLiteral = base { throw fail("indirection through explicit nil in \(operand.description)") }
        let receiver = try evalArg(dot, .any, base, nilAsNull: false)
        return try evalFieldChain(dot, receiver: receiver, node: operand, fields, args: args, final: final)
    }

    private mutating func evalFieldChain(
        _ dot: TemplateValue?, receiver: TemplateValue?, node: TemplateOperand, _ names: [String],
        args: [TemplateOperand], final: Final
    ) throws(Interrupt) -> TemplateValue? {
        var receiver = receiver
        for name in names.dropLast() {
            receiver = try evalField(dot, name, node: node, args: [], final: .none, receiver: receiver)
        }
        return try evalField(dot, names[names.count - 1], node: node, args: args, final: final, receiver: receiver)
    }

    private mutating func evalField(
        _ dot: TemplateValue?, _ name: String, node: TemplateOperand, args: [TemplateOperand], final: Final,
        receiver: TemplateValue?
    ) throws(Interrupt) -> TemplateValue? {
        guard let receiver else {
            if template.missingKey == .error { throw fail("nil data; no entry for key \(GoFormat.quote(name))") }
            return nil
        }
        let hasArgs = args.count > 1 || final.isPresent
        switch receiver {
        case .object(let object):
            switch object.kind {
            case .structure(let typeName):
                if let method = object.methods[name] {
                    return try evalCall(dot, name, method: method, node: .operand(node), args: args, final: final)
                }
                guard let value = object[name] else { throw fail("can't evaluate field \(name) in type \(typeName)") }
                if hasArgs { throw fail("\(name) has arguments but cannot be invoked as function") }
                return value
            case .map(let missing):
                if hasArgs { throw fail("\(name) is not a method but has arguments") }
                if let value = object[name] {
                    // A JSON null inside a map[string]interface{} is a nil interface: Go digs it out
                    // to an invalid value, so it prints `<no value>`.
                    return value == .null && missing == nil ? nil : value
                }
                switch template.missingKey {
                case .noValue: return nil
                case .zero: return missing
                case .error: throw fail("map has no entry for key \(GoFormat.quote(name))")
                }
            }
        case .null:
            throw fail("nil pointer evaluating \(receiver.goTypeName).\(name)")
        default:
            throw fail("can't evaluate field \(name) in type \(receiver.goTypeName)")
        }
    }

    // MARK: Calls

    private mutating func evalCall(
        _ dot: TemplateValue?, _ name: String, method: TemplateMethod? = nil, node: Site, args: [TemplateOperand],
        final: Final
    ) throws(Interrupt) -> TemplateValue? {
        let signature = method == nil
            ? TemplateFunctions.signatures[name]! : TemplateFunctions.Signature(fixed: [.string])
        let passed = args.dropFirst()
        let count = passed.count + (final.isPresent ? 1 : 0)
        if signature.variadic != nil {
            if count < signature.fixed.count {
                throw fail("wrong number of args for \(name): want at least \(signature.fixed.count) got \(passed.count)")
            }
        } else if count != signature.fixed.count {
            throw fail("wrong number of args for \(name): want \(signature.fixed.count) got \(count)")
        }
        func parameter(_ i: Int) -> TemplateFunctions.Parameter {
            i < signature.fixed.count ? signature.fixed[i] : signature.variadic!
        }
        if method == nil && (name == "and" || name == "or") {
            // and/or stop at the first argument that decides the answer, leaving the rest unevaluated.
            var value: TemplateValue?
            for arg in passed {
                value = try evalArg(dot, .any, arg, nilAsNull: false)
                if (value?.isTrue ?? false) == (name == "or") { return value }
            }
            if case .value(let piped) = final { value = piped }
            return value
        }
        var argv: [TemplateValue?] = []
        for (i, arg) in passed.enumerated() {
            argv.append(try evalArg(dot, parameter(i), arg))
        }
        if case .value(let piped) = final {
            argv.append(try validate(piped, parameter(count - 1)))
        }
        do throws(TemplateFunctions.Failure) {
            if let method {
                if case .string(let key)? = argv[0] { return method.call(key) }
                return method.otherwise
            }
            return try TemplateFunctions.call(name, argv)
        } catch {
            site = node
            throw fail("error calling \(name): \(error.message)")
        }
    }

    /// One argument, checked against the Go parameter type it goes to. `nilAsNull` false keeps Go's
    /// invalid value (and/or return it as it is, a chain evaluates fields on it).
    private mutating func evalArg(
        _ dot: TemplateValue?, _ parameter: TemplateFunctions.Parameter, _ operand: TemplateOperand,
        nilAsNull: Bool = true
    ) throws(Interrupt) -> TemplateValue? {
        site = .operand(operand)
        let value: TemplateValue?
        switch operand {
        case .dot:
            value = dot
        case .nilLiteral:
            switch parameter {
            case .any, .strings: return .null
            case .string: throw fail("cannot assign nil to string")
            case .int: throw fail("cannot assign nil to int")
            }
        case .field(_, let names):
            value = try evalFieldChain(dot, receiver: dot, node: operand, names, args: [operand], final: .none)
        case .variable:
            value = try evalVariable(dot, operand, args: [], final: .none)
        case .pipeline(let pipeline):
            value = try evalPipeline(dot, pipeline)
        case .identifier(_, let name):
            value = try evalCall(dot, name, node: .operand(operand), args: [operand], final: .none)
        case .chain:
            value = try evalChain(dot, operand, args: [], final: .none)
        case .number(_, let number):
            switch parameter {
            case .int:
                guard let int = number.int else { throw fail("expected integer; found \(operand.description)") }
                return .int(int)
            case .string: throw fail("expected string; found \(operand.description)")
            case .strings: throw fail("can't handle \(operand.description) for arg of type []string")
            case .any: return number.constant
            }
        case .string(_, _, let text):
            switch parameter {
            case .int: throw fail("expected integer; found \(operand.description)")
            case .strings: throw fail("can't handle \(operand.description) for arg of type []string")
            case .string, .any: return .string(text)
            }
        case .bool(_, let b):
            switch parameter {
            case .int: throw fail("expected integer; found \(operand.description)")
            case .string: throw fail("expected string; found \(operand.description)")
            case .strings: throw fail("can't handle \(operand.description) for arg of type []string")
            case .any: return .bool(b)
            }
        }
        if value == nil && !nilAsNull { return nil }
        return try validate(value, parameter)
    }

    /// Go's validateType: a value computed at run time must fit the parameter's type.
    private func validate(_ value: TemplateValue?, _ parameter: TemplateFunctions.Parameter) throws(Interrupt) -> TemplateValue? {
        guard let value else {
            switch parameter {
            case .any, .strings: return .null
            case .string: throw fail("invalid value; expected string")
            case .int: throw fail("invalid value; expected int")
            }
        }
        switch (parameter, value) {
        case (.any, _), (.string, .string), (.int, .int), (.strings, .null):
            return value
        case (.strings, .array(let items)) where items.allSatisfy(\.isString):
            return value
        default:
            let expected = switch parameter {
            case .string: "string"
            case .int: "int"
            case .strings: "[]string"
            case .any: "interface {}"
            }
            throw fail("wrong type for value; expected \(expected); got \(value.goTypeName)")
        }
    }
}
