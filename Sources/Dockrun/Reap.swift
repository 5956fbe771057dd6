import DockerSyntax

/// `dockrun reap [--dry-run] [--filter FILTER]... [--engine-wait SECONDS]`: the containers dockrun started on this
/// host whose dockrun is gone — after a machine went down with services running, or under a monitor without
/// systemd's `ExecStopPost=` — are torn down as their dockrun would have torn them down. Every decision is here, as
/// values: the arguments, the listing, whether a container's dockrun lives, what becomes of the container, and the
/// line said about it. `dockrun(_:)` lists, reads /proc and runs the teardowns (`Teardown`, through the one executor).
public enum Reap {
    /// The subcommand: dockrun's first argument.
    public static let argument = "reap"

    public struct Options: Equatable, Sendable {
        /// List what would be done, and do nothing.
        public var dryRun = false
        /// `docker ps` filters: only the containers that match every one (and carry dockrun's labels) are looked at,
        /// as docker's own prune commands take `--filter`.
        public var filters: [String] = []
        /// `--engine-wait SECONDS`, else DOCKRUN_ENGINE_WAIT.
        public var engineWaitMilliseconds: Int64?

        public init(dryRun: Bool = false, filters: [String] = [], engineWaitMilliseconds: Int64? = nil) {
            self.dryRun = dryRun
            self.filters = filters
            self.engineWaitMilliseconds = engineWaitMilliseconds
        }
    }

    public enum Failure: Error, Equatable, Sendable {
        case unexpectedArgument(String)
        case dockrun(DockrunError)
        /// `docker ps` failed: what is left is unknown, and nothing was done.
        case listingFailed(String)
        /// A container could not be stopped or removed (the others were still torn down).
        case teardownFailed(container: String, message: String)

        public var message: String {
            switch self {
            case .unexpectedArgument(let word):
                return "reap: unexpected argument \"\(word)\": "
                    + "expected --dry-run, --filter FILTER or --engine-wait SECONDS"
            case .dockrun(let error): return "reap: \(error.message)"
            case .listingFailed(let text): return "reap: cannot list containers: \(text)"
            case .teardownFailed(let container, let text):
                return "reap: could not stop or remove container \(container): \(text)"
            }
        }

        /// 125, as every error of dockrun's own (and `--cleanup`'s failed teardown).
        public var exitCode: Int32 { 125 }
    }

    /// What follows `reap`: `--dry-run`, `--filter FILTER` (repeated), `--engine-wait SECONDS`, each value also as
    /// `--option=VALUE`, read by dockrun's one option tokenizer. Any other word is refused by name, `--` too (reap
    /// takes no arguments for it to end options before), and so is a value given to `--dry-run`.
    public static func parse(_ arguments: [String]) throws(Failure) -> Options {
        var options = Options()
        var tokenizer = OptionTokenizer(arguments, grammar: grammar, positionals: .interspersed, unknownOptions: .stop)
        // The words read so far: one the tokenizer passes over without a token (`--`) is refused as any other.
        var read = 0
        while true {
            let token: OptionTokenizer.Token?
            do { token = try tokenizer.next() } catch {
                guard case .missingValue(_, let spelling) = error else { preconditionFailure("unknown options stop it") }
                throw .dockrun(.missingValue(option: spelling))
            }
            guard let token else { break }
            let words: Range<Int>
            switch token {
            case .argument(let index), .unknownOption(let index): words = index..<index + 1
            case .option(let option): words = option.words
            }
            guard words.lowerBound == read, case .option(let option) = token else {
                throw .unexpectedArgument(arguments[read])
            }
            read = words.upperBound
            switch option.name {
            case "dry-run":
                guard option.value == nil else { throw .unexpectedArgument(arguments[words.lowerBound]) }
                options.dryRun = true
            case "filter":
                options.filters.append(option.value ?? "")
            default:
                let text = option.value ?? ""
                guard let bound = EngineWait.bound(seconds: text) else {
                    throw .dockrun(.invalidSeconds(option: option.spelling, value: text))
                }
                options.engineWaitMilliseconds = bound
            }
        }
        if read < arguments.count { throw .unexpectedArgument(arguments[read]) }
        return options
    }

    private static let grammar = OptionGrammar(booleans: ["dry-run"], values: ["filter", "engine-wait"])

    /// The labels read from each container, in the listing's order after its ID, state and name.
    static let labelKeys = [RunLabelKey.run, RunLabelKey.pid, RunLabelKey.pidStart, RunLabelKey.boot, RunLabelKey.host,
                            RunLabelKey.started, RunLabelKey.remove, RunLabelKey.guardianPID, RunLabelKey.guardianStart]

    /// Every container carrying dockrun's run label and matching the filters, running or not: one a line, its full
    /// ID, state, name and dockrun's labels, separated by tabs (a label the container lacks is empty).
    public static func list(filters: [String]) -> DockerCommand {
        let format = (["{{.ID}}", "{{.State}}", "{{.Names}}"] + labelKeys.map { "{{.Label \"\($0)\"}}" })
            .joined(separator: "\t")
        return DockerCommand(["ps", "-a", "--no-trunc", "--filter", "label=\(RunLabelKey.run)"]
            + filters.flatMap { ["--filter", $0] } + ["--format", format])
    }

    /// One container of the listing.
    public struct Container: Equatable, Sendable {
        public let id: String
        /// `running`, `created`, `exited`, ...
        public let state: String
        public let name: String
        /// dockrun's labels it carries (`labelKeys`), by key; one it lacks is absent.
        public let labels: [String: String]

        public init(id: String, state: String, name: String, labels: [String: String]) {
            self.id = id
            self.state = state
            self.name = name
            self.labels = labels
        }

        /// The PID of the dockrun that started it.
        public var pid: Int32? { Self.pid(labels[RunLabelKey.pid]) }
        /// Its run's ID, 16 hex digits (the name of the run's private directory); nil when the label is not one.
        public var run: String? {
            labels[RunLabelKey.run].flatMap { $0.count == 16 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
        }
        /// The PID of that dockrun's guardian.
        public var guardianPID: Int32? { Self.pid(labels[RunLabelKey.guardianPID]) }

        private static func pid(_ label: String?) -> Int32? {
            label.flatMap { Int32($0) }.flatMap { $0 > 0 ? $0 : nil }
        }

        /// How a line names it: its name and short ID.
        public var shown: String { "\(name) (\(id.prefix(12)))" }
    }

    /// The containers `list` listed, or why there is none: a failed listing is said, never taken for "nothing".
    /// A line that is not the listing's shape (a label holding a tab or a line break) is left out: never guessed at.
    public static func listed(_ answer: DockerAnswer) -> Result<[Container], Failure> {
        guard answer.succeeded else { return .failure(.listingFailed(answer.firstErrorLine)) }
        return .success(answer.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 + labelKeys.count, !fields[0].isEmpty else { return nil }
            let labels = zip(labelKeys, fields[3...]).filter { !$0.1.isEmpty }
            return Container(id: fields[0], state: fields[1], name: fields[2],
                             labels: Dictionary(labels, uniquingKeysWith: { $1 }))
        })
    }

    /// What is known of this host, once for every container.
    public struct Host: Equatable, Sendable {
        public let name: String
        /// The boot ID now; nil when /proc did not say.
        public let boot: String?
        /// When this boot began, on the realtime clock (nanoseconds after the epoch).
        public let bootTimeNanoseconds: Int64
        /// /proc/PID/stat's start times count these.
        public let ticksPerSecond: Int64

        public init(name: String, boot: String?, bootTimeNanoseconds: Int64, ticksPerSecond: Int64) {
            self.name = name
            self.boot = boot
            self.bootTimeNanoseconds = bootTimeNanoseconds
            self.ticksPerSecond = ticksPerSecond
        }
    }

    /// What /proc says of the process with the container's `io.dockrun.pid`.
    public enum Process: Equatable, Sendable {
        /// No process has that PID (or one that has ended, not yet reaped by its parent).
        case absent
        /// One has, but its start time could not be read (another user's process under `hidepid`).
        case unknown
        /// One has, started so many clock ticks after this boot.
        case started(ticks: UInt64)
    }

    /// Why a container's dockrun is known to be gone.
    public enum Gone: Equatable, Sendable {
        /// No process has its PID.
        case noProcess
        /// Its PID is a later process's.
        case recycled
        /// It ran in an earlier boot.
        case otherBoot

        var text: String {
            switch self {
            case .noProcess: "gone"
            case .recycled: "gone (its PID is a later process's)"
            case .otherBoot: "gone (it ran before this boot)"
            }
        }
    }

    /// Why a container is left alone.
    public enum Keep: Equatable, Sendable {
        /// Its dockrun ran on another host (this engine may be shared, or reached from elsewhere).
        case otherHost
        /// It lacks a PID or a host label: not a container dockrun started as it starts them.
        case notDockrun
        case dockrunLives
        /// Its dockrun is gone, and its guardian is cleaning up after it (a teardown, a commit it waits for).
        case guardianAtWork
        /// Whether its dockrun lives cannot be told (its start time unreadable, an old label unreadable): kept.
        case inDoubt
        /// Its dockrun is gone, and the run, without `--rm`, left it as a run without `--rm` ends: kept for the user.
        case runOver
    }

    public enum Decision: Equatable, Sendable {
        case keep(Keep)
        /// Stopped as its dockrun stops it, and kept (a run without `--rm`).
        case stop(Gone)
        /// Stopped as its dockrun stops it, and removed (a run with `--rm`), whatever its state.
        case remove(Gone)

        /// Whether the run's private directory (its cidfile, under the dockrun's TMPDIR) is deleted, once the
        /// teardown went: its dockrun is gone and no guardian will, so nothing else would (a dockrun killed with its
        /// guardian leaves it). Only where this reap's TMPDIR is that dockrun's: a monitor's service without a
        /// TMPDIR of its own, as reap run by hand or from that monitor; a unit's RuntimeDirectory is systemd's to delete.
        public var clearsPrivateDirectory: Bool {
            switch self {
            case .stop, .remove, .keep(.runOver): true
            case .keep: false
            }
        }

        /// The teardown of `container` this decision asks for; nil when it is left alone.
        public func teardown(of container: Container) -> Teardown? {
            switch self {
            case .keep: nil
            case .stop: Teardown(target: container.id, remove: false)
            case .remove: Teardown(target: container.id, remove: true)
            }
        }
    }

    /// What becomes of `container`, `process` being what /proc says of its `io.dockrun.pid`, `guardian` of its
    /// `io.dockrun.guardian-pid` (`.absent` when it has none).
    public static func decide(_ container: Container, host: Host, process: Process, guardian: Process = .absent)
        -> Decision {
        guard let labelled = container.labels[RunLabelKey.host], container.pid != nil else { return .keep(.notDockrun) }
        guard labelled == host.name else { return .keep(.otherHost) }
        let gone: Gone
        switch liveness(container.labels, host: host, process: process) {
        case .lives: return .keep(.dockrunLives)
        case .inDoubt: return .keep(.inDoubt)
        case .gone(let why): gone = why
        }
        // A guardian does what its dockrun would have done, and keeps what it must (a commit under way, even with
        // --rm): while it lives, the container is its own.
        if container.guardianPID != nil, let ticks = container.labels[RunLabelKey.guardianStart].flatMap({ UInt64($0) }),
           let boot = container.labels[RunLabelKey.boot] {
            switch exactly(boot: boot, startTicks: ticks, host: host, process: guardian) {
            case .lives: return .keep(.guardianAtWork)
            case .inDoubt: return .keep(.inDoubt)
            case .gone: break
            }
        }
        if container.labels[RunLabelKey.remove] == "true" { return .remove(gone) }
        // The run's own rule for a container it leaves without --rm: one that runs is stopped; one created and never
        // started, or ended, is kept as it is.
        let stops = Leftovers.sweepTearsDown(Leftovers.Listed(id: container.id, state: container.state), remove: false)
        return stops ? .stop(gone) : .keep(.runOver)
    }

    enum Liveness: Equatable {
        case lives, inDoubt
        case gone(Gone)
    }

    /// Whether the dockrun of these labels lives. Exactly, by its identity (`io.dockrun.boot`, `.pid-start`): it
    /// lives when this is its boot and the process with its PID started at its tick. A container labelled by a dockrun
    /// older than those labels has only `io.dockrun.started`, to the second: its dockrun lives when the process with
    /// its PID started no later than that second (and the next, as the label is rounded down and the boot time is
    /// worked out from two clocks); a later process has its PID. What cannot be read counts as alive.
    static func liveness(_ labels: [String: String], host: Host, process: Process) -> Liveness {
        if let boot = labels[RunLabelKey.boot], let ticks = labels[RunLabelKey.pidStart].flatMap({ UInt64($0) }),
           host.boot != nil {
            return exactly(boot: boot, startTicks: ticks, host: host, process: process)
        }
        switch process {
        case .absent: return .gone(.noProcess)
        case .unknown: return .inDoubt
        case .started(let started):
            guard let label = labels[RunLabelKey.started].flatMap(LogTime.init(rfc3339Seconds:)),
                  host.ticksPerSecond > 0 else { return .inDoubt }
            let ticks = Int64(clamping: started)
            let startedAt = host.bootTimeNanoseconds + ticks / host.ticksPerSecond * 1_000_000_000
                + ticks % host.ticksPerSecond * 1_000_000_000 / host.ticksPerSecond
            return startedAt < label.nanoseconds + 2_000_000_000 ? .lives : .gone(.recycled)
        }
    }

    /// Whether the process of that boot and start tick lives: this boot (when this host's boot ID is known), and the
    /// process with its PID started then.
    static func exactly(boot: String, startTicks: UInt64, host: Host, process: Process) -> Liveness {
        guard host.boot == nil || boot == host.boot else { return .gone(.otherBoot) }
        switch process {
        case .absent: return .gone(.noProcess)
        case .unknown: return .inDoubt
        case .started(let started): return started == startTicks ? .lives : .gone(.recycled)
        }
    }

    /// The line said on stdout for a container `decision` tears down: what would be done (`--dry-run`), or what was
    /// done (`outcome`); nil for a container left alone, or one that was already gone when its teardown came.
    public static func line(_ container: Container, _ decision: Decision, outcome: Teardown.Outcome?) -> String? {
        let gone: Gone, removes: Bool
        switch decision {
        case .keep: return nil
        case .stop(let why): (gone, removes) = (why, false)
        case .remove(let why): (gone, removes) = (why, true)
        }
        let verb: String
        switch outcome {
        case nil: verb = removes ? "would remove" : "would stop"
        case .stopped(let removed): verb = removed ? "removed" : "stopped"
        case .absent, .failed: return nil
        }
        let pid = container.pid.map(String.init) ?? "?"
        return "\(verb) \(container.shown) of dockrun \(pid), \(gone.text)\n"
    }
}
