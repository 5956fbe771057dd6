import DockerSyntax

/// A `--commit` target: the text as the user wrote it (what `docker commit` receives) and its
/// parsed form, validated before anything starts.
public struct CommitTarget: Equatable, Sendable {
    public let text: String
    public let reference: ImageReference

    public init(_ text: String) throws(DockrunError) {
        do {
            reference = try ImageReference.parseForEngine(text)
        } catch {
            throw .invalidCommitReference(text, error)
        }
        self.text = text
    }
}

/// A run as the user asked for it: docker's options (as written, dockrun's own taken out), the
/// image and the container's command, and dockrun's own settings.
public struct RunRequest: Equatable, Sendable {
    /// The user's `docker run` options, each token exactly as written, in order.
    public var dockerOptions: [String] = []
    /// nil when an option dockrun does not know ended the parse (see `Invocation.parse`).
    public var image: String?
    /// After IMAGE: the container's command, untouched. Without an image: every argument from the
    /// unknown option on, untouched.
    public var command: [String] = []
    public var remove = false
    public var commit: CommitTarget?
    /// The user's own `--cidfile`, if any (the last one given wins, as in docker).
    public var cidfile: String?
    /// The container's `--name` (also among `dockerOptions`), for `--replace` and `--cleanup`.
    public var name: String?
    /// `--replace`: remove a container already called `name` before the start.
    public var replace = false
    /// `--sdnotify`: when `READY=1` goes to systemd's `NOTIFY_SOCKET`.
    public var notify: NotifyPolicy.Mode = .running
    /// `--engine-wait SECONDS`: how long an engine that stopped answering is waited for (else DOCKRUN_ENGINE_WAIT).
    public var engineWaitMilliseconds: Int64?
    /// `-i` (also among `dockerOptions`): the container reads dockrun's stdin.
    public var interactive = false
    /// `-t` (also among `dockerOptions`): the container gets a pseudo-terminal.
    public var tty = false
    /// `--health-on-failure`: what dockrun does once the container's health check says `unhealthy`.
    public var healthOnFailure: HealthFailureAction = .none
    /// What the options say of the health check (`--health-cmd`, `--no-healthcheck`, also among `dockerOptions`);
    /// `unknown`: the image's decides.
    public var healthCheck: HealthCheckPresence = .unknown

    /// `--sdnotify=healthy` and `--health-on-failure` mean nothing without a health check: the option that needs one.
    public var optionNeedingHealthCheck: String? {
        if healthOnFailure != .none { return "--health-on-failure=\(healthOnFailure.rawValue)" }
        return notify == .healthy ? "--sdnotify=healthy" : nil
    }

    public init() {}
}

public enum Invocation: Equatable, Sendable {
    case help
    case version
    case run(RunRequest)
    /// `--cleanup`: stop (and with `--rm` remove) the container of the service the options name; run nothing.
    case cleanup(RunRequest)

    /// Splits dockrun's command line the way `docker run` splits its own: options up to the first
    /// argument that is not an option or an option's value (IMAGE), then the container's command,
    /// never looked into. The option table of DockerSyntax, read by its `OptionTokenizer`, decides
    /// which options take a value.
    ///
    /// An option the table does not know (a typo, or an option of a newer docker) ends the parse:
    /// it and everything after it go to `docker run` untouched, so docker itself either reports
    /// it (its own message, exit 125) or runs it. dockrun's own options must then come before it.
    public static func parse(_ arguments: [String]) throws(DockrunError) -> Invocation {
        var request = RunRequest()
        var cleanup = false
        /// The run, once the command line is read: dockrun's own options checked against each other.
        func invocation() throws(DockrunError) -> Invocation {
            if cleanup {
                guard request.name != nil || request.cidfile != nil else { throw .cleanupNeedsTarget }
                return .cleanup(request)
            }
            if request.replace && request.name == nil { throw .replaceNeedsName }
            if let option = request.optionNeedingHealthCheck, request.healthCheck == .absent {
                throw .noHealthCheck(option: option, reason: "--no-healthcheck disables it")
            }
            return .run(request)
        }
        var tokenizer = OptionTokenizer(arguments, grammar: grammar, positionals: .endOptions, unknownOptions: .stop)
        /// The indices of the words that are docker's options, each kept as written.
        var dockerWords: Set<Int> = []
        func dockerOptions(before end: Int) -> [String] {
            dockerWords.filter { $0 < end }.sorted().map { arguments[$0] }
        }

        while let token = try next(&tokenizer) {
            switch token {
            case .option(let option):
                switch option.name {
                case "help": return .help
                case "version": return .version
                case "rm": request.remove = try bool(option)
                case "commit": request.commit = try CommitTarget(option.value ?? "")
                case "cidfile": request.cidfile = option.value
                case "replace": request.replace = try bool(option)
                case "cleanup": cleanup = try bool(option)
                case "sdnotify":
                    guard let mode = NotifyPolicy.Mode(rawValue: option.value ?? "") else {
                        throw .invalidChoice(option: option.spelling, value: option.value ?? "",
                                             choices: NotifyPolicy.Mode.allCases.map(\.rawValue))
                    }
                    request.notify = mode
                case "health-on-failure":
                    guard let action = HealthFailureAction(rawValue: option.value ?? "") else {
                        throw .invalidChoice(option: option.spelling, value: option.value ?? "",
                                             choices: HealthFailureAction.allCases.map(\.rawValue))
                    }
                    request.healthOnFailure = action
                case "health-cmd":
                    // docker's rule: an empty command keeps the image's (with the other --health-* settings).
                    if option.value?.isEmpty == false { request.healthCheck = .present }
                    dockerWords.formUnion(option.words)
                case "no-healthcheck":
                    if try bool(option) { request.healthCheck = .absent }
                    dockerWords.formUnion(option.words)
                case "engine-wait":
                    guard let bound = EngineWait.bound(seconds: option.value ?? "") else {
                        throw .invalidSeconds(option: option.spelling, value: option.value ?? "")
                    }
                    request.engineWaitMilliseconds = bound
                case "name":
                    request.name = option.value
                    dockerWords.formUnion(option.words)
                case "attach": throw .attachedOnly(spelling: option.spelling)
                case "restart":
                    // `no` (docker's default) is what dockrun does, and is passed on; any other policy is refused.
                    guard option.value == "no" else {
                        throw .restartPolicy(spelling: option.spelling, value: option.value ?? "")
                    }
                    dockerWords.formUnion(option.words)
                case "detach" where try bool(option): throw .attachedOnly(spelling: option.spelling)
                case "interactive":
                    request.interactive = try bool(option)
                    dockerWords.formUnion(option.words)
                case "tty":
                    request.tty = try bool(option)
                    dockerWords.formUnion(option.words)
                default:
                    if option.kind == .boolean { _ = try bool(option) }
                    dockerWords.formUnion(option.words)
                }
            case .argument(let image):
                request.dockerOptions = dockerOptions(before: image)
                request.image = arguments[image]
                request.command = Array(arguments[(image + 1)...])
                return try invocation()
            case .unknownOption(let word):
                // A cluster's known letters before the unknown one go with it, as written.
                request.dockerOptions = dockerOptions(before: word)
                request.command = Array(arguments[word...])
                return try invocation()
            }
        }
        // A clean-up needs no image: `dockrun --cleanup --rm --name web` is enough.
        if cleanup { return try invocation() }
        throw .noImage
    }

    /// docker run's options, and dockrun's own: `--commit`, `--version`, `--replace`, `--cleanup`, `--sdnotify`,
    /// `--engine-wait`, `--health-on-failure`
    /// (none of them a `docker run` option, so none shadows one), and the single-dash spellings of the docker 0.5
    /// era, kept from the seed.
    static let ownOptions: [String: OptionGrammar.Kind] = [
        "commit": .value, "version": .boolean, "replace": .boolean, "cleanup": .boolean, "sdnotify": .value,
        "engine-wait": .value, "health-on-failure": .value,
    ]
    private static let grammar: OptionGrammar = {
        var grammar = RunOptionTable.grammar
        grammar.kinds.merge(ownOptions) { _, own in own }
        grammar.singleDashNames = ["rm", "commit", "cidfile"]
        return grammar
    }()

    private static func next(_ tokenizer: inout OptionTokenizer) throws(DockrunError) -> OptionTokenizer.Token? {
        do { return try tokenizer.next() } catch { throw dockrunError(error) }
    }

    private static func bool(_ option: ParsedOption) throws(DockrunError) -> Bool {
        do { return try option.bool() } catch { throw dockrunError(error) }
    }

    /// The tokenizer's errors as dockrun's. `-a`/`--attach` is refused even without its value.
    private static func dockrunError(_ error: OptionSyntaxError) -> DockrunError {
        switch error {
        case .missingValue(name: "attach", let spelling): return .attachedOnly(spelling: spelling)
        case .missingValue(_, let spelling): return .missingValue(option: spelling)
        case .invalidBool(let spelling, let value): return .invalidBool(option: spelling, value: value)
        case .unknownFlag, .unknownShorthand: preconditionFailure("an unknown option stops the tokenizer in .stop mode")
        }
    }
}
