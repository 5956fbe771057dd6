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

    public static func takesValue(long name: String) -> Bool? {
        if valueLong.contains(name) { return true }
        if booleanLong.contains(name) { return false }
        return nil
    }
}

/// One option occurrence as written on a `docker run` command line, normalised to its long name.
public struct RunOption: Equatable, Sendable {
    public var name: String        // long name, e.g. "env"
    public var value: String?      // nil for a boolean given without `=`
    public var spelling: String    // how it was written: "-e", "--env", "-it"'s "-t"
    public init(name: String, value: String?, spelling: String) {
        self.name = name; self.value = value; self.spelling = spelling
    }
    /// A boolean's value: `--rm` and `--rm=true` are true, `--rm=false` false; nil if unparseable.
    public var boolValue: Bool? {
        guard let value else { return true }
        return parseBool(value)
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

public enum RunArgumentsError: Error, Equatable, Sendable {
    case unknownFlag(String)           // docker: "unknown flag: --bogus" / "unknown shorthand flag: 'z' in -z"
    case missingValue(String)          // docker: "flag needs an argument: --name" / "'n' in -n"
    case invalidBool(flag: String, value: String)
    case noImage                       // "'docker run' requires at least 1 argument"

    /// docker's own first line for this error.
    public var dockerMessage: String {
        switch self {
        case .unknownFlag(let f):
            if f.hasPrefix("--") { return "unknown flag: \(f)" }
            return "unknown shorthand flag: '\(f.dropFirst())' in \(f)"
        case .missingValue(let f):
            if f.hasPrefix("--") { return "flag needs an argument: \(f)" }
            return "flag needs an argument: '\(f.dropFirst())' in \(f)"
        case .invalidBool(let flag, let value):
            return "invalid argument \"\(value)\" for \"\(flag)\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax"
        case .noImage:
            return "'docker run' requires at least 1 argument"
        }
    }
}

/// A `docker run` command line split the way the docker CLI splits it: options up to the first
/// non-option argument (IMAGE), then the container's command, untouched.
public struct RunArguments: Equatable, Sendable {
    public var options: [RunOption]
    public var image: String
    public var command: [String]

    public init(options: [RunOption], image: String, command: [String]) {
        self.options = options; self.image = image; self.command = command
    }

    /// Parses `args` (what follows `run`). `extraLong`/`extraShort` let a caller add options of its
    /// own (dockrun's `--commit`) with whether they take a value.
    public static func parse(_ args: [String], extraLong: [String: Bool] = [:]) throws(RunArgumentsError) -> RunArguments {
        var options: [RunOption] = []
        var i = 0
        func valueKind(_ long: String) -> Bool? {
            if let extra = extraLong[long] { return extra }
            return RunOptionTable.takesValue(long: long)
        }
        while i < args.count {
            let arg = args[i]
            if arg == "--" { i += 1; break }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name: String
                var value: String?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq]); value = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                guard let takes = valueKind(name) else { throw .unknownFlag("--\(name)") }
                if takes && value == nil {
                    guard i + 1 < args.count else { throw .missingValue("--\(name)") }
                    i += 1; value = args[i]
                }
                if !takes, let v = value, parseBool(v) == nil { throw .invalidBool(flag: "--\(name)", value: v) }
                options.append(RunOption(name: name, value: value, spelling: "--\(name)"))
                i += 1
                continue
            }
            if arg.hasPrefix("-") && arg.count > 1 {
                // A cluster: booleans until the first value-taking letter, which takes the rest
                // (`-eV`, `-e=V`) or the next argument.
                var letters = Array(arg.dropFirst())
                while !letters.isEmpty {
                    let c = letters.removeFirst()
                    guard let long = RunOptionTable.shortAliases[c] else { throw .unknownFlag("-\(c)") }
                    if RunOptionTable.valueLong.contains(long) {
                        var rest = String(letters)
                        letters = []
                        if rest.hasPrefix("=") { rest.removeFirst() }
                        else if rest.isEmpty {
                            guard i + 1 < args.count else { throw .missingValue("-\(c)") }
                            i += 1; rest = args[i]
                        }
                        options.append(RunOption(name: long, value: rest, spelling: "-\(c)"))
                    } else {
                        var value: String?
                        if letters.first == "=" {
                            value = String(letters.dropFirst()); letters = []
                            if parseBool(value!) == nil { throw .invalidBool(flag: "-\(c)", value: value!) }
                        }
                        options.append(RunOption(name: long, value: value, spelling: "-\(c)"))
                    }
                }
                i += 1
                continue
            }
            break
        }
        guard i < args.count else { throw .noImage }
        return RunArguments(options: options, image: args[i], command: Array(args[(i + 1)...]))
    }

    /// The last value given for an option (pflag: the last occurrence wins), or nil.
    public func last(_ name: String) -> RunOption? { options.last { $0.name == name } }
    /// Every value given for a repeatable option, in order.
    public func all(_ name: String) -> [String] { options.filter { $0.name == name }.compactMap(\.value) }
    /// A boolean option's effective value.
    public func flag(_ name: String, default def: Bool = false) -> Bool { last(name)?.boolValue ?? def }
}
