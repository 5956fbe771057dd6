import DockerSyntax

/// One command's flags, parsed as cobra/pflag do for every command but `run`/`create`: flags and
/// arguments may be interspersed, `--` ends the flags, short booleans cluster.
struct FlagSpec {
    var long: String
    var short: Character?
    var takesValue: Bool
}

struct ParsedFlags {
    var values: [String: [String]] = [:]
    var arguments: [String] = []

    func has(_ long: String) -> Bool { values[long] != nil }
    func last(_ long: String) -> String? { values[long]?.last }
    func all(_ long: String) -> [String] { values[long] ?? [] }
    func bool(_ long: String) -> Bool { values[long]?.last.flatMap(parseBool) ?? false }
}

struct CommandSyntax {
    var name: String          // "stop", "container inspect"
    var usage: String         // "[OPTIONS] CONTAINER [CONTAINER...]"
    var flags: [FlagSpec]
    var minArguments: Int = 0
    var maxArguments: Int? = nil
    var exactArguments: Bool = false
    var interspersed: Bool = true

    func usageError(_ first: String) -> DockerError {
        DockerError("\(first)\n\nUsage:  docker \(name) \(usage)\n\nRun 'docker \(name) --help' for more information", exitCode: 125)
    }

    func parse(_ args: [String]) throws(DockerError) -> ParsedFlags {
        var parsed = ParsedFlags()
        var i = 0
        var flagsDone = false
        func spec(long: String) -> FlagSpec? { flags.first { $0.long == long } }
        func spec(short: Character) -> FlagSpec? { flags.first { $0.short == short } }
        while i < args.count {
            let arg = args[i]
            if flagsDone || arg == "-" || !arg.hasPrefix("-") {
                parsed.arguments.append(arg)
                if !interspersed { flagsDone = true }
                i += 1
                continue
            }
            if arg == "--" { flagsDone = true; i += 1; continue }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let eq = body.firstIndex(of: "=")
                let name = String(eq.map { body[..<$0] } ?? body)
                var value = eq.map { String(body[body.index(after: $0)...]) }
                guard let s = spec(long: name) else { throw usageError("unknown flag: --\(name)") }
                if s.takesValue && value == nil {
                    guard i + 1 < args.count else { throw usageError("flag needs an argument: --\(name)") }
                    i += 1; value = args[i]
                }
                if !s.takesValue, let v = value, parseBool(v) == nil {
                    throw usageError("invalid argument \"\(v)\" for \"--\(name)\" flag: strconv.ParseBool: parsing \"\(v)\": invalid syntax")
                }
                parsed.values[name, default: []].append(value ?? "true")
                i += 1
                continue
            }
            var letters = Array(arg.dropFirst())
            while !letters.isEmpty {
                let c = letters.removeFirst()
                guard let s = spec(short: c) else { throw usageError("unknown shorthand flag: '\(c)' in \(arg)") }
                if s.takesValue {
                    var rest = String(letters)
                    letters = []
                    if rest.hasPrefix("=") { rest.removeFirst() }
                    else if rest.isEmpty {
                        guard i + 1 < args.count else { throw usageError("flag needs an argument: '\(c)' in -\(c)") }
                        i += 1; rest = args[i]
                    }
                    parsed.values[s.long, default: []].append(rest)
                } else if letters.first == "=" {
                    parsed.values[s.long, default: []].append(String(letters.dropFirst())); letters = []
                } else {
                    parsed.values[s.long, default: []].append("true")
                }
            }
            i += 1
        }
        if parsed.has("help") { throw DockerError("Usage:  docker \(name) \(usage)", exitCode: 0) }
        let n = parsed.arguments.count
        let plural: (Int) -> String = { $0 == 1 ? "argument" : "arguments" }
        if exactArguments && n != minArguments {
            throw argumentError("\"docker \(name)\" requires exactly \(minArguments) \(plural(minArguments)).")
        }
        if n < minArguments {
            throw argumentError(minArguments == 1 && maxArguments == nil
                ? "docker: 'docker \(name)' requires at least 1 argument"
                : "\"docker \(name)\" requires at least \(minArguments) \(plural(minArguments)).")
        }
        if let max = maxArguments, n > max {
            throw argumentError("\"docker \(name)\" requires at most \(max) \(plural(max)).")
        }
        return parsed
    }

    func argumentError(_ first: String) -> DockerError {
        DockerError("\(first)\n\nUsage:  docker \(name) \(usage)\n\nSee 'docker \(name) --help' for more information", exitCode: 1)
    }
}

extension FlagSpec {
    static let help = FlagSpec(long: "help", short: nil, takesValue: false)
}
