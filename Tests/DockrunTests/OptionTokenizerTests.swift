import DockerSyntax
import Testing

private let grammar = OptionGrammar(booleans: ["interactive", "tty"], values: ["env"], shorthands: ["i": "interactive", "t": "tty", "e": "env"])

/// The tokens of `words`, and the error that ended them if any.
private func tokens(_ words: [String], _ positionals: OptionTokenizer.Positionals, _ unknown: OptionTokenizer.UnknownOptions)
    -> (tokens: [OptionTokenizer.Token], error: OptionSyntaxError?) {
    var tokenizer = OptionTokenizer(words, grammar: grammar, positionals: positionals, unknownOptions: unknown)
    var read: [OptionTokenizer.Token] = []
    do {
        while let token = try tokenizer.next() { read.append(token) }
        return (read, nil)
    } catch {
        return (read, error)
    }
}

private func option(_ name: String, _ kind: OptionGrammar.Kind, _ value: String?, _ spelling: String, _ words: Range<Int>) -> OptionTokenizer.Token {
    .option(ParsedOption(name: name, kind: kind, value: value, spelling: spelling, words: words))
}

@Suite("Option tokenizer")
struct OptionTokenizerTests {
    @Test("a cluster yields each letter with the words it was read from; a value letter takes the next word")
    func cluster() {
        #expect(tokens(["-ite", "A=1", "img"], .endOptions, .fail).tokens == [
            option("interactive", .boolean, nil, "-i", 0..<1), option("tty", .boolean, nil, "-t", 0..<1),
            option("env", .value, "A=1", "-e", 0..<2), .argument(2),
        ])
    }

    @Test("interspersed: options follow arguments and -- is dropped; otherwise the first argument ends the options")
    func positionals() {
        let words = ["a", "-i", "--", "-t"]
        #expect(tokens(words, .interspersed, .fail).tokens == [.argument(0), option("interactive", .boolean, nil, "-i", 1..<2), .argument(3)])
        #expect(tokens(words, .endOptions, .fail).tokens == [.argument(0), .argument(1), .argument(2), .argument(3)])
    }

    @Test("stop mode yields the word of the first unknown option and ends; fail mode throws docker's error")
    func unknownOptions() {
        #expect(tokens(["-i", "-tz", "x"], .endOptions, .stop).tokens == [
            option("interactive", .boolean, nil, "-i", 0..<1), option("tty", .boolean, nil, "-t", 1..<2), .unknownOption(1),
        ])
        #expect(tokens(["--bogus=1", "x"], .endOptions, .stop).tokens == [.unknownOption(0)])
        #expect(tokens(["-tz", "x"], .endOptions, .fail).error?.dockerMessage == "unknown shorthand flag: 'z' in -z")
        #expect(tokens(["-zt", "x"], .endOptions, .fail).error?.dockerMessage == "unknown shorthand flag: 'z' in -zt")
        #expect(tokens(["--bogus=1", "x"], .endOptions, .fail).error?.dockerMessage == "unknown flag: --bogus")
    }

    @Test("a value-taking option at the end is docker's 'flag needs an argument'")
    func missingValue() {
        #expect(tokens(["--env"], .endOptions, .fail).error?.dockerMessage == "flag needs an argument: --env")
        #expect(tokens(["-ie"], .endOptions, .stop).error?.dockerMessage == "flag needs an argument: 'e' in -e")
    }

    @Test("booleans are checked by whoever sets them, with docker's message; read checks every one")
    func booleans() throws {
        #expect(tokens(["--tty=maybe"], .endOptions, .fail).error == nil)
        #expect(throws: OptionSyntaxError.invalidBool(spelling: "-t", value: "maybe")) {
            try OptionTokenizer.read(["-it=maybe", "img"], grammar: grammar, positionals: .endOptions)
        }
        #expect(OptionSyntaxError.invalidBool(spelling: "--tty", value: "x").dockerMessage
                == "invalid argument \"x\" for \"--tty\" flag: strconv.ParseBool: parsing \"x\": invalid syntax")
    }
}
