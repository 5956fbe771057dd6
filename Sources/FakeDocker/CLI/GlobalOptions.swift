/// The docker CLI's own options, before the command (`docker [OPTIONS] COMMAND`), read as its root
/// command declares them (cli/flags/options.go): the same tokenizer and forms as every command's flags
/// (`--host=x`, `-H x`, `-Hx`, `-D`, `-Dl debug`). They choose an engine, a context and the client's
/// configuration; fake-docker has one engine, so it reads them and acts on none.
enum GlobalOptions {
    static let syntax = CommandSyntax(name: "", usage: "[OPTIONS] COMMAND", flags: [
        FlagSpec(long: "config", short: nil, takesValue: true), FlagSpec(long: "context", short: "c", takesValue: true),
        FlagSpec(long: "debug", short: "D", takesValue: false), FlagSpec(long: "host", short: "H", takesValue: true),
        FlagSpec(long: "log-level", short: "l", takesValue: true), FlagSpec(long: "tls", short: nil, takesValue: false),
        FlagSpec(long: "tlscacert", short: nil, takesValue: true), FlagSpec(long: "tlscert", short: nil, takesValue: true),
        FlagSpec(long: "tlskey", short: nil, takesValue: true), FlagSpec(long: "tlsverify", short: nil, takesValue: false),
        FlagSpec(long: "version", short: "v", takesValue: false), FlagSpec(long: "help", short: "h", takesValue: false),
    ], interspersed: false)

    /// The command and its arguments, after the global options: the first word that is not an option
    /// (or follows `--`) ends them, and everything from it on is the command's, untouched.
    static func command(_ args: [String]) throws(DockerError) -> [String] {
        try syntax.parse(args).arguments
    }
}
