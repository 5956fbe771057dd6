/// `docker run` or `docker create`: the same options and checks, but a failure is reported by where
/// it happened (docs/engine-observations.md, "DIFFERS" item 24):
/// - a flag value that does not parse is refused by the flag parser, with the usage;
/// - an option the CLI itself checks (an `--env-file` it cannot read, conflicting options) is wrapped
///   as the CLI's `withHelp` does: `docker: ` and the help line, exit 125 for both commands;
/// - anything later (the daemon's refusal, the cidfile) is wrapped the same way by `run`, with
///   `toStatusError`'s exit code, but printed bare by `create`, exit 1.
enum CreatingCommand: String {
    case run, create

    static let usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]"

    var usageLine: String { "Usage:  docker \(rawValue) \(Self.usage)" }
    private var helpLine: String { "Run 'docker \(rawValue) --help' for more information" }

    /// A refusal of the flag parser (an unknown flag, a missing or malformed value).
    func flagError(_ message: String) -> DockerError {
        DockerError("\(message)\n\n\(usageLine)\n\n\(helpLine)", exitCode: 125)
    }

    func invalidFlagValue(_ value: String, flag: String, reason: String) -> DockerError {
        flagError("invalid argument \"\(value)\" for \"\(flag)\" flag: \(reason)")
    }

    /// A refusal of the CLI's own option parsing, before anything reaches the daemon.
    func refusedOption(_ message: String) -> DockerError {
        DockerError("docker: \(message)\n\n\(helpLine)", exitCode: 125)
    }

    /// A failure once the options are read: the daemon's, or the client's own (the cidfile).
    func failure(_ message: String) -> DockerError {
        switch self {
        case .run: return DockerError.run(message, command: rawValue)
        case .create: return DockerError(message, exitCode: 1)
        }
    }
}
