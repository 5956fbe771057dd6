/// Reads a command line against an `OptionGrammar` the way pflag (the docker CLI's flag parser)
/// does, one option at a time:
///
/// - `--name`, `--name=v`, and `--name v` for an option that takes a value;
/// - `-it`, `-eV`, `-e=V`, `-e V`: a cluster of shorthands is booleans until the first letter that
///   takes a value, which takes the rest of the word or, if nothing is left, the next word;
///   a boolean letter followed by `=` takes the rest as its value (`-d=false`);
/// - `--` ends the options; `-` and words without a leading dash are positional arguments.
///
/// Like pflag's parser it only splits: a boolean's value is checked by whoever sets it
/// (`ParsedOption.bool()`), as pflag leaves it to the flag's `Set`.
public struct OptionTokenizer {
    /// pflag's `SetInterspersed`: whether options may follow a positional argument.
    public enum Positionals: Sendable {
        /// Options and arguments mix (`docker stop c1 -t 3 c2`).
        case interspersed
        /// The first positional argument ends the options (`docker run`: IMAGE, then the command).
        case endOptions
    }

    /// What an option the grammar does not know does.
    public enum UnknownOptions: Sendable {
        /// It is an error, as in docker (`unknown flag: --x`).
        case fail
        /// The tokenizer yields `.unknownOption` and ends: a wrapper hands that word and every
        /// word after it to the real parser untouched.
        case stop
    }

    public enum Token: Equatable, Sendable {
        case option(ParsedOption)
        /// The index of a word that is a positional argument.
        case argument(Int)
        /// The index of the word holding an option the grammar does not know (`.stop` only).
        case unknownOption(Int)
    }

    public let words: [String]
    public let grammar: OptionGrammar
    public let positionals: Positionals
    public let unknownOptions: UnknownOptions

    /// The next word to read.
    private var index = 0
    /// The shorthands of a cluster not read yet, and the index of its word.
    private var cluster: (word: Int, letters: Substring)?
    private var optionsEnded = false
    private var stopped = false

    public init(_ words: [String], grammar: OptionGrammar, positionals: Positionals, unknownOptions: UnknownOptions) {
        self.words = words
        self.grammar = grammar
        self.positionals = positionals
        self.unknownOptions = unknownOptions
    }

    /// The next option or argument, or nil when every word has been read.
    public mutating func next() throws(OptionSyntaxError) -> Token? {
        if stopped { return nil }
        if let cluster, !cluster.letters.isEmpty { return try shorthand() }
        cluster = nil
        guard index < words.count else { return nil }
        let word = words[index]
        if optionsEnded || word == "-" || !word.hasPrefix("-") {
            if positionals == .endOptions { optionsEnded = true }
            index += 1
            return .argument(index - 1)
        }
        if word == "--" {
            optionsEnded = true
            index += 1
            return try next()
        }
        if word.hasPrefix("--") { return try long(word.dropFirst(2), dashes: "--") }
        let body = word.dropFirst()
        if grammar.singleDashNames.contains(String(body.prefix { $0 != "=" })) { return try long(body, dashes: "-") }
        cluster = (index, body)
        index += 1
        return try shorthand()
    }

    /// `--name`, `--name=v` or `--name v` (or a single-dash name of the grammar).
    private mutating func long(_ body: Substring, dashes: String) throws(OptionSyntaxError) -> Token {
        let first = index
        let equals = body.firstIndex(of: "=")
        let name = String(body[..<(equals ?? body.endIndex)])
        var value = equals.map { String(body[body.index(after: $0)...]) }
        let spelling = dashes + name
        guard let kind = grammar.kinds[name] else { return try unknown(.unknownFlag(spelling), word: first) }
        index += 1
        if kind == .value && value == nil { value = try nextWord(for: name, spelling: spelling) }
        return .option(ParsedOption(name: name, kind: kind, value: value, spelling: spelling, words: first..<index))
    }

    /// The next letter of the current cluster.
    private mutating func shorthand() throws(OptionSyntaxError) -> Token {
        guard var (word, letters) = cluster, let letter = letters.popFirst() else { preconditionFailure("no cluster") }
        let spelling = "-\(letter)"
        guard let name = grammar.shorthands[letter], let kind = grammar.kinds[name] else {
            return try unknown(.unknownShorthand(letter, cluster: spelling + letters), word: word)
        }
        var value: String?
        if letters.first == "=" {
            value = String(letters.dropFirst())
            letters = ""
        } else if kind == .value {
            value = letters.isEmpty ? try nextWord(for: name, spelling: spelling) : String(letters)
            letters = ""
        }
        cluster = (word, letters)
        return .option(ParsedOption(name: name, kind: kind, value: value, spelling: spelling, words: word..<index))
    }

    /// The word after an option that takes a value and has none inline.
    private mutating func nextWord(for name: String, spelling: String) throws(OptionSyntaxError) -> String {
        guard index < words.count else { throw .missingValue(name: name, spelling: spelling) }
        index += 1
        return words[index - 1]
    }

    private mutating func unknown(_ error: OptionSyntaxError, word: Int) throws(OptionSyntaxError) -> Token {
        guard unknownOptions == .stop else { throw error }
        stopped = true
        return .unknownOption(word)
    }
}

/// One option occurrence as written on a command line, under its long name.
public struct ParsedOption: Equatable, Sendable {
    public var name: String        // long name, e.g. "env"
    public var kind: OptionGrammar.Kind
    public var value: String?      // nil for a boolean given without `=`
    public var spelling: String    // how its name was written: "-e", "--env", "-it"'s "-t", "-rm"
    /// The indices of the words it was read from: its own and, for `--x v`, its value's. The
    /// shorthands of one cluster share their word.
    public var words: Range<Int>

    public init(name: String, kind: OptionGrammar.Kind, value: String?, spelling: String, words: Range<Int>) {
        self.name = name; self.kind = kind; self.value = value; self.spelling = spelling; self.words = words
    }

    /// A boolean's value: `--rm` and `--rm=true` are true, `--rm=false` false; nil if unparseable.
    public var boolValue: Bool? {
        guard let value else { return true }
        return parseBool(value)
    }

    /// A boolean's value, or docker's error for one that is not a boolean.
    public func bool() throws(OptionSyntaxError) -> Bool {
        guard let enabled = boolValue else { throw .invalidBool(spelling: spelling, value: value ?? "") }
        return enabled
    }
}

/// Go's strconv.ParseBool, which pflag uses for boolean options.
public func parseBool(_ s: String) -> Bool? {
    switch s {
    case "1", "t", "T", "TRUE", "true", "True": return true
    case "0", "f", "F", "FALSE", "false", "False": return false
    default: return nil
    }
}

public enum OptionSyntaxError: Error, Equatable, Sendable {
    /// `--bogus`, as written up to any `=`.
    case unknownFlag(String)
    /// A shorthand the grammar does not know, and the cluster from that letter on: pflag names
    /// both (`-iz` → "'z' in -z", `-zi` → "'z' in -zi").
    case unknownShorthand(Character, cluster: String)
    case missingValue(name: String, spelling: String)
    case invalidBool(spelling: String, value: String)

    /// docker's own first line for this error.
    public var dockerMessage: String {
        switch self {
        case .unknownFlag(let spelling):
            return "unknown flag: \(spelling)"
        case .unknownShorthand(let letter, let cluster):
            return "unknown shorthand flag: '\(letter)' in \(cluster)"
        case .missingValue(_, let spelling):
            if spelling.hasPrefix("--") { return "flag needs an argument: \(spelling)" }
            return "flag needs an argument: '\(spelling.dropFirst())' in \(spelling)"
        case .invalidBool(let spelling, let value):
            return "invalid argument \"\(value)\" for \"\(spelling)\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax"
        }
    }
}

extension OptionTokenizer {
    /// A whole command line as docker's own parser reads it: an unknown option or a boolean that
    /// is not one is an error; the options in order, then the positional arguments.
    public static func read(_ words: [String], grammar: OptionGrammar, positionals: Positionals)
        throws(OptionSyntaxError) -> (options: [ParsedOption], arguments: [String]) {
        var tokenizer = OptionTokenizer(words, grammar: grammar, positionals: positionals, unknownOptions: .fail)
        var options: [ParsedOption] = []
        var arguments: [String] = []
        while let token = try tokenizer.next() {
            switch token {
            case .option(let option):
                if option.kind == .boolean { _ = try option.bool() }
                options.append(option)
            case .argument(let index):
                arguments.append(words[index])
            case .unknownOption:
                preconditionFailure("an unknown option fails in .fail mode")
            }
        }
        return (options, arguments)
    }
}
