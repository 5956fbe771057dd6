import DockerSyntax
import ProcessSpawn

/// `dockrun generate MONITOR [RUN ARGS...]`: the tested example of examples/ for that monitor (MonitorTemplates),
/// for this run instead of the example's. Pure: `dockrun(_:)` writes the text, or the error, and exits.
public enum Generate {
    /// The subcommand: dockrun's first argument.
    public static let argument = "generate"

    public enum Monitor: String, CaseIterable, Equatable, Sendable {
        case runit, s6, supervisord, god
    }

    /// The run a service is made of, as `dockrun generate` reads it from dockrun's own arguments.
    public struct ServiceRun: Equatable, Sendable {
        /// dockrun's arguments, exactly as given: the service runs `dockrun ARGUMENTS`.
        public let arguments: [String]
        /// `--name`: the service's name, its files' and its container's (which `--replace` and the cleanup find).
        public let name: String
        /// `--rm`, repeated in the cleanup.
        public let remove: Bool
        /// docker's `--stop-timeout`, 10 (docker's default) when not given.
        public let stopTimeout: Int
        /// Where IMAGE and COMMAND start in `arguments` (god's array breaks its line there).
        public let imageIndex: Int

        /// How long a monitor waits for dockrun to stop before its SIGKILL: the container's stop, plus 20 s for
        /// docker's kill and the removal (the examples' 30 s for 10 s).
        public var stopWait: Int { stopTimeout + 20 }
    }

    /// One file of the example: its path in the service directory (runit, s6) or its name (supervisord, god).
    public struct File: Equatable, Sendable {
        public let path: String
        public let text: String
        public let executable: Bool
    }

    public enum Failure: Error, Equatable, Sendable {
        case noMonitor
        case unknownMonitor(String)
        /// The arguments are not a run's: `--cleanup`, `--help` or `--version`.
        case notARun
        case run(DockrunError)
        case noName
        case invalidName(String)
        case invalidStopTimeout(String)
        /// supervisord reads one line per setting: an argument with a line break cannot be written in command=.
        case lineBreak(Monitor)

        public var message: String {
            let monitors = Monitor.allCases.map(\.rawValue).joined(separator: ", ")
            switch self {
            case .noMonitor: return "generate needs a monitor: one of \(monitors)"
            case .unknownMonitor(let word): return "generate: unknown monitor \"\(word)\": expected one of \(monitors)"
            case .notARun: return "generate takes a run's arguments: [OPTIONS] IMAGE [COMMAND] [ARG...]"
            case .run(let error): return "generate: \(error.message)"
            case .noName:
                return "generate needs --name: the service's name, and its container's, which --replace and the "
                    + "cleanup after a SIGKILL find"
            case .invalidName(let name):
                return "generate: invalid --name \"\(name)\": a container name is [a-zA-Z0-9][a-zA-Z0-9_.-]*"
            case .invalidStopTimeout(let value):
                return "generate: --stop-timeout \"\(value)\": expected a number of seconds, 0 or more"
            case .lineBreak(let monitor):
                return "generate \(monitor.rawValue): an argument with a line break cannot be written in its config"
            }
        }

        /// As every error of dockrun's own: 125, nothing printed on stdout.
        public var exitCode: Int32 { 125 }
    }

    /// `MONITOR [RUN ARGS...]` (what follows `generate`): the monitor and the run, read by dockrun's own parser.
    public static func parse(_ arguments: [String]) throws(Failure) -> (Monitor, ServiceRun) {
        guard let word = arguments.first else { throw .noMonitor }
        guard let monitor = Monitor(rawValue: word) else { throw .unknownMonitor(word) }
        let runArguments = Array(arguments.dropFirst())
        let invocation: Invocation
        do { invocation = try Invocation.parse(runArguments) } catch { throw .run(error) }
        guard case .run(let request) = invocation else { throw .notARun }
        guard let name = request.name else { throw .noName }
        guard isContainerName(name) else { throw .invalidName(name) }
        let stopTimeout = try stopTimeout(request.dockerOptions)
        let breaksLine = { (word: String) in word.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }
        if monitor == .supervisord, runArguments.contains(where: breaksLine) { throw .lineBreak(monitor) }
        let imageIndex = runArguments.count - request.command.count - (request.image == nil ? 0 : 1)
        return (monitor, ServiceRun(arguments: runArguments, name: name, remove: request.remove,
                                    stopTimeout: stopTimeout, imageIndex: imageIndex))
    }

    /// The example's files for this run, `dockrun` the path the service runs dockrun by.
    public static func files(_ monitor: Monitor, _ run: ServiceRun, dockrun: String) -> [File] {
        let shell = values(run, dockrun: dockrun, quote: shellQuoted, arguments: shellQuoted(run.arguments))
        switch monitor {
        case .supervisord:
            // supervisord splits command= as a POSIX shell would, after expanding %(...)s: `%` is written `%%`.
            let words = shellQuoted(run.arguments).replacing("%", with: "%%")
            let config = values(run, dockrun: dockrun, quote: shellQuoted, arguments: words)
            let text = render(MonitorTemplates.supervisord, config)
            return [File(path: "\(run.name).conf", text: text, executable: false)]
        case .god:
            let options = run.arguments[..<run.imageIndex].map(rubyString)
            let container = run.arguments[run.imageIndex...].map(rubyString)
            var array = options.joined(separator: ", ")
            if !container.isEmpty {
                array += (options.isEmpty ? "" : ",\n             ") + container.joined(separator: ", ")
            }
            let config = values(run, dockrun: dockrun, quote: rubyString, arguments: array)
            return [File(path: "\(run.name).god", text: render(MonitorTemplates.god, config), executable: false)]
        case .runit:
            return [
                File(path: "run", text: render(MonitorTemplates.runitRun, shell), executable: true),
                File(path: "finish", text: render(MonitorTemplates.runitFinish, shell), executable: true),
                File(path: "log/run", text: render(MonitorTemplates.runitLog, shell), executable: true),
            ]
        case .s6:
            return [
                File(path: "run", text: render(MonitorTemplates.s6Run, shell), executable: true),
                File(path: "finish", text: render(MonitorTemplates.s6Finish, shell), executable: true),
                File(path: "log/run", text: render(MonitorTemplates.s6Log, shell), executable: true),
                File(path: "timeout-kill", text: render(MonitorTemplates.s6Milliseconds, shell), executable: false),
                File(path: "timeout-finish", text: render(MonitorTemplates.s6Milliseconds, shell), executable: false),
            ]
        }
    }

    /// What `dockrun generate` prints: a one-file example as it is (to redirect into its place); a service
    /// directory (runit, s6) as a shell script that writes it, each file headed by its path: `| sh -s DIRECTORY`.
    public static func output(_ monitor: Monitor, _ run: ServiceRun, dockrun: String) -> String {
        let files = files(monitor, run, dockrun: dockrun)
        switch monitor {
        case .supervisord, .god: return files[0].text
        case .runit: return script(files, monitor: monitor, name: run.name, directory: "/etc/sv/\(run.name)")
        case .s6: return script(files, monitor: monitor, name: run.name, directory: "/etc/s6/sv/\(run.name)")
        }
    }

    /// A shell script writing `files` into its argument (else `directory`): one here-document per file, whose
    /// quoted delimiter is a line no file has, so every file is written byte for byte.
    static func script(_ files: [File], monitor: Monitor, name: String, directory: String) -> String {
        var delimiter = "END_OF_FILE"
        func hasLine(_ file: File) -> Bool {
            file.text.utf8.split(separator: UInt8(ascii: "\n")).contains { $0.elementsEqual(delimiter.utf8) }
        }
        while files.contains(where: hasLine) { delimiter += "_" }
        var text = """
            #!/bin/sh
            # The \(monitor.rawValue) service directory of \(name), printed by `dockrun generate \(monitor.rawValue)`:
            # this script writes it into the directory it is given, else \(directory):
            #     dockrun generate \(monitor.rawValue) ... | sh -s [DIRECTORY]
            set -e
            dir=${1:-\(directory)}

            """
        var folders: [String] = []
        for file in files {
            if let slash = file.path.lastIndex(of: "/"), !folders.contains(String(file.path[..<slash])) {
                folders.append(String(file.path[..<slash]))
            }
        }
        text += "mkdir -p \"$dir\"" + folders.map { " \"$dir/\($0)\"" }.joined() + "\n"
        for file in files {
            text += "cat > \"$dir/\(file.path)\" <<'\(delimiter)'\n\(file.text)\(delimiter)\n"
            if file.executable { text += "chmod 755 \"$dir/\(file.path)\"\n" }
        }
        return text
    }

    /// The values of the templates' `{{key}}`s: `quote` writes a word in the file's language, `arguments` the
    /// run's arguments.
    static func values(_ run: ServiceRun, dockrun: String, quote: (String) -> String, arguments: String)
        -> [String: String] {
        let cleanup = ["--cleanup"] + (run.remove ? ["--rm"] : []) + ["--name", run.name]
        return [
            "name": run.name, "dockrun": quote(dockrun), "arguments": arguments, "cleanup": shellQuoted(cleanup),
            "stop_timeout": String(run.stopTimeout), "stop_wait": String(run.stopWait),
            "stop_wait_ms": String(run.stopWait * 1000),
        ]
    }

    /// `template` with each `{{key}}` replaced by its value, in one pass: a value is never read for keys.
    static func render(_ template: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { break }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[key] else { preconditionFailure("a template names an unknown key: \(key)") }
            result += rest[..<open.lowerBound] + value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// A Ruby string literal reading back as `text`: double-quoted when nothing in it is special there (no `"`,
    /// `\`, `#` of interpolation, control character), else single-quoted, where only `\` and `'` are escaped.
    static func rubyString(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { c in
            c.value >= 0x20 && c.value != 0x7f && !"\"\\#".unicodeScalars.contains(c)
        }
        if plain { return "\"\(text)\"" }
        return "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// docker's rule for a container name (its daemon's `[a-zA-Z0-9][a-zA-Z0-9_.-]`), without the optional
    /// leading `/`: the name is written unquoted into paths, section names and strings of every monitor's files.
    static func isContainerName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isAlphanumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || "_.-".unicodeScalars.contains($0) }
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// The last `--stop-timeout` of docker's options (docker's rule: the last wins), else docker's 10 s.
    static func stopTimeout(_ dockerOptions: [String]) throws(Failure) -> Int {
        let options = (try? OptionTokenizer.read(dockerOptions, grammar: RunOptionTable.grammar,
                                                 positionals: .endOptions).options) ?? []
        guard let value = options.last(where: { $0.name == "stop-timeout" })?.value else { return 10 }
        guard let seconds = Int(value), seconds >= 0 else { throw .invalidStopTimeout(value) }
        return seconds
    }
}
