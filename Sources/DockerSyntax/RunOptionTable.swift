/// The `docker run` / `docker create` option table (docker CLI 28): which options take a value.
/// dockrun needs it to find IMAGE exactly (the first argument that is not an option or an option's
/// value); fake-docker needs it to parse `run`/`create` as docker does.
public enum RunOptionTable {
    /// Long names of options that take no value (`--x`, `--x=true|false`).
    public static let booleanLong: Set<String> = [
        "detach", "sig-proxy", "quiet", "help", "interactive", "tty", "rm", "read-only", "privileged",
        "publish-all", "no-healthcheck", "oom-kill-disable", "init", "disable-content-trust", "use-api-socket",
    ]
    /// Long names of options that take a value (`--x v`, `--x=v`), hidden ones included.
    public static let valueLong: Set<String> = [
        "add-host", "annotation", "attach", "blkio-weight", "blkio-weight-device", "cap-add", "cap-drop",
        "cgroup-parent", "cgroupns", "cidfile", "cpu-count", "cpu-percent", "cpu-period", "cpu-quota",
        "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "detach-keys",
        "device", "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps",
        "device-write-iops", "dns", "dns-option", "dns-opt", "dns-search", "domainname", "entrypoint", "env",
        "env-file", "expose", "gpus", "group-add", "health-cmd", "health-interval", "health-retries",
        "health-start-interval", "health-start-period", "health-timeout", "hostname", "io-maxbandwidth",
        "io-maxiops", "ip", "ip6", "ipc", "isolation", "kernel-memory", "label", "label-file", "link",
        "link-local-ip", "log-driver", "log-opt", "mac-address", "memory", "memory-reservation", "memory-swap",
        "memory-swappiness", "mount", "name", "network", "net", "network-alias", "net-alias", "oom-score-adj",
        "pid", "pids-limit", "platform", "publish", "pull", "restart", "runtime", "security-opt", "shm-size",
        "stop-signal", "stop-timeout", "storage-opt", "sysctl", "tmpfs", "ulimit", "user", "userns", "uts",
        "volume", "volume-driver", "volumes-from", "workdir",
    ]
    /// One-letter aliases and the long option each stands for.
    public static let shortAliases: [Character: String] = [
        "d": "detach", "q": "quiet", "i": "interactive", "t": "tty", "P": "publish-all",
        "a": "attach", "c": "cpu-shares", "e": "env", "h": "hostname", "l": "label", "m": "memory",
        "p": "publish", "u": "user", "v": "volume", "w": "workdir",
    ]

    /// The table as a grammar for `OptionTokenizer`.
    public static let grammar = OptionGrammar(booleans: booleanLong, values: valueLong, shorthands: shortAliases)
}

public enum RunArgumentsError: Error, Equatable, Sendable {
    case syntax(OptionSyntaxError)
    case noImage                       // "'docker run' requires at least 1 argument"

    /// docker's own first line for this error.
    public var dockerMessage: String {
        switch self {
        case .syntax(let error): return error.dockerMessage
        case .noImage: return "'docker run' requires at least 1 argument"
        }
    }
}

/// A `docker run` command line split the way the docker CLI splits it: options up to the first
/// non-option argument (IMAGE), then the container's command, untouched.
public struct RunArguments: Equatable, Sendable {
    public var options: [ParsedOption]
    public var image: String
    public var command: [String]

    public init(options: [ParsedOption], image: String, command: [String]) {
        self.options = options; self.image = image; self.command = command
    }

    /// Parses `args` (what follows `run`) as the docker CLI does: options up to IMAGE, every
    /// option known to the table and every boolean a boolean.
    public static func parse(_ args: [String]) throws(RunArgumentsError) -> RunArguments {
        let read: (options: [ParsedOption], arguments: [String])
        do {
            read = try OptionTokenizer.read(args, grammar: RunOptionTable.grammar, positionals: .endOptions)
        } catch {
            throw .syntax(error)
        }
        guard let image = read.arguments.first else { throw .noImage }
        return RunArguments(options: read.options, image: image, command: Array(read.arguments.dropFirst()))
    }

    /// The last value given for an option (pflag: the last occurrence wins), or nil.
    public func last(_ name: String) -> ParsedOption? { options.last { $0.name == name } }
    /// Every value given for a repeatable option, in order.
    public func all(_ name: String) -> [String] { options.filter { $0.name == name }.compactMap(\.value) }
    /// A boolean option's effective value.
    public func flag(_ name: String, default def: Bool = false) -> Bool { last(name)?.boolValue ?? def }
}
