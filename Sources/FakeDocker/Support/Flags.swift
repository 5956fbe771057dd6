import DockerSyntax

/// One command's flags, parsed by `OptionTokenizer` as cobra/pflag do for every command but
/// `run`/`create` (`RunArguments`).
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

    /// cobra's CommandPath: `docker stop`, or `docker` for the root command (an empty name).
    var path: String { name.isEmpty ? "docker" : "docker \(name)" }

    func usageError(_ first: String) -> DockerError {
        DockerError("\(first)\n\nUsage:  \(path) \(usage)\n\nRun '\(path) --help' for more information", exitCode: 125)
    }

    /// The grammar of `flags` for `OptionTokenizer`.
    var grammar: OptionGrammar {
        var kinds: [String: OptionGrammar.Kind] = [:]
        var shorthands: [Character: String] = [:]
        for flag in flags {
            kinds[flag.long] = flag.takesValue ? .value : .boolean
            if let short = flag.short { shorthands[short] = flag.long }
        }
        return OptionGrammar(kinds: kinds, shorthands: shorthands)
    }

    func parse(_ args: [String]) throws(DockerError) -> ParsedFlags {
        var parsed = ParsedFlags()
        do {
            let read = try OptionTokenizer.read(args, grammar: grammar, positionals: interspersed ? .interspersed : .endOptions)
            for option in read.options { parsed.values[option.name, default: []].append(option.value ?? "true") }
            parsed.arguments = read.arguments
        } catch {
            throw usageError(error.dockerMessage)
        }
        if parsed.has("help") { throw DockerError("Usage:  \(path) \(usage)", exitCode: 0) }
        let n = parsed.arguments.count
        let plural: (Int) -> String = { $0 == 1 ? "argument" : "arguments" }
        if exactArguments && n != minArguments {
            throw argumentError("\"\(path)\" requires exactly \(minArguments) \(plural(minArguments)).")
        }
        if n < minArguments {
            throw argumentError(minArguments == 1 && maxArguments == nil
                ? "docker: '\(path)' requires at least 1 argument"
                : "\"\(path)\" requires at least \(minArguments) \(plural(minArguments)).")
        }
        if let max = maxArguments, n > max {
            throw argumentError("\"\(path)\" requires at most \(max) \(plural(max)).")
        }
        return parsed
    }

    func argumentError(_ first: String) -> DockerError {
        DockerError("\(first)\n\nUsage:  \(path) \(usage)\n\nSee '\(path) --help' for more information", exitCode: 1)
    }
}

extension FlagSpec {
    static let help = FlagSpec(long: "help", short: nil, takesValue: false)
}
