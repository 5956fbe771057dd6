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
        if let refusal = arityError(parsed.arguments.count) { throw refusal }
        return parsed
    }

    /// The CLI's argument-count checks (cli/required.go, as CLI 28.2 words them): `NoArgs`, `ExactArgs`,
    /// `RequiresRangeArgs`, `RequiresMinArgs` (its help line says "See"), `RequiresMaxArgs` (its help line has the
    /// CLI's own stray "S": "SRun"); all exit 1.
    func arityError(_ n: Int) -> DockerError? {
        func refusal(_ requirement: String, help: String) -> DockerError {
            DockerError("docker: '\(path)' \(requirement)\n\nUsage:  \(path) \(usage)\n\n\(help) '\(path) --help' for more information",
                        exitCode: 1)
        }
        func arguments(_ count: Int) -> String { count == 1 ? "argument" : "arguments" }
        if maxArguments == 0 {
            return n > 0 ? refusal("accepts no arguments", help: "Run") : nil
        }
        if exactArguments {
            return n != minArguments ? refusal("requires \(minArguments) \(arguments(minArguments))", help: "Run") : nil
        }
        if let max = maxArguments, minArguments > 0 {
            return n < minArguments || n > max
                ? refusal("requires at least \(minArguments) and at most \(max) \(arguments(max))", help: "Run") : nil
        }
        if n < minArguments { return refusal("requires at least \(minArguments) \(arguments(minArguments))", help: "See") }
        if let max = maxArguments, n > max { return refusal("requires at most \(max) \(arguments(max))", help: "SRun") }
        return nil
    }
}

extension FlagSpec {
    static let help = FlagSpec(long: "help", short: nil, takesValue: false)
}
