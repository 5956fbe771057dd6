/// The `[Container]` section as a dockrun command line: Quadlet's keys with Quadlet's meanings (ContainerKey's
/// table), the container named `systemd-%N` unless `ContainerName=` says otherwise (`systemd-%p_%i` for a
/// template or an instance of one, as Quadlet: docker names have no `@`), run with `--rm --replace` so that a
/// restart finds the name free.
public struct ContainerCommand: Equatable, Sendable {
    /// dockrun's arguments: its own options, docker run's options, IMAGE, the command.
    public var arguments: [String]
    /// The container's name, specifiers unexpanded (systemd expands them in ExecStart=).
    public var name: String
    /// `StopTimeout=`: docker's grace before KILL, which TimeoutStopSec= must exceed.
    public var stopTimeout: Int?
    /// `ReloadSignal=`: sent to dockrun by ExecReload=; dockrun relays it to the container.
    public var reloadSignal: String?
    /// `ServiceName=`: the unit's name instead of the file's.
    public var serviceName: String?

    /// `directory` is the source file's, against which relative paths (`./data:/data`) are resolved.
    static func make(_ file: UnitFile, directory: String, isInstance: Bool) throws(EntryError) -> ContainerCommand {
        guard let image = file.last("Image", in: "Container"), !image.value.isEmpty else {
            throw EntryError(nil, "no Image= in [Container]")
        }
        if image.value.hasSuffix(".image") || image.value.hasSuffix(".build") {
            throw EntryError(image, "Quadlet's .image and .build units are podman's; name an image")
        }
        var reading = Reading(defaultName: isInstance ? "systemd-%p_%i" : "systemd-%N", directory: directory)
        for entry in file.entries(in: "Container") {
            try reading.read(entry)
        }
        let arguments = ["--rm", "--replace", "--name", reading.name] + reading.own
            + (try reading.options()).flatMap(\.words) + reading.dockerArgs + [image.value] + reading.command
        return ContainerCommand(arguments: arguments, name: reading.name, stopTimeout: reading.stopTimeout,
                                reloadSignal: reading.reloadSignal, serviceName: reading.serviceName)
    }

    /// What the entries read so far say, in the file's order.
    private struct Reading {
        let defaultName: String
        let directory: String
        var name: String
        var own: [String] = []                                    // dockrun's options, after --name
        var entryOptions: [(key: String, words: [String])] = []   // docker run's, each with the key it came from
        var dockerArgs: [String] = []
        var command: [String] = []
        var user: UnitFile.Entry?, group: UnitFile.Entry?
        var stopTimeout: Int?, reloadSignal: String?, serviceName: String?
        var readOnly = false, readOnlyTmpfs = true

        init(defaultName: String, directory: String) {
            self.defaultName = defaultName; self.directory = directory; name = defaultName
        }

        mutating func read(_ entry: UnitFile.Entry) throws(EntryError) {
            guard let kind = ContainerKey.table[entry.key] else {
                throw EntryError(entry, "unknown key in [Container]")
            }
            // systemd's rule for lists: an empty value empties what the key had so far (and unsets a single
            // value, as Quadlet reads an empty last value as none).
            if entry.value.isEmpty, entry.key != "Entrypoint" {
                return reset(entry.key)
            }
            let words: [String]
            switch kind {
            case .refused(let reason):
                throw EntryError(entry, "not supported: \(reason)")
            case .option(let option):
                words = [option, entry.value]
            case .words(let option):
                words = try split(entry).flatMap { [option, $0] }
            case .assignments(let option):
                let assignments = try split(entry)
                for word in assignments where word.firstIndex(of: "=").map({ $0 == word.startIndex }) ?? true {
                    throw EntryError(entry, "\"\(word)\" is not KEY=VALUE")
                }
                words = assignments.flatMap { [option, $0] }
            case .flag(let flag):
                words = try systemdBoolean(entry) ? flag : []
            case .prefixed(let option, let prefix):
                words = [option, prefix + entry.value]
            case .special:
                words = try special(entry)
            }
            if !words.isEmpty { entryOptions.append((entry.key, words)) }
        }

        private mutating func reset(_ key: String) {
            entryOptions.removeAll { $0.key == key }
            switch key {
            case "Exec": command = []
            case "DockerArgs": dockerArgs = []
            case "ContainerName": name = defaultName
            case "User": user = nil
            case "Group": group = nil
            case "StopTimeout": stopTimeout = nil
            case "Notify": own.removeAll { $0.hasPrefix("--sdnotify=") }
            case "HealthOnFailure": own.removeAll { $0.hasPrefix("--health-on-failure=") }
            default: break
            }
        }

        /// A key with a rule of its own: the docker run words it gives now, if any.
        private mutating func special(_ entry: UnitFile.Entry) throws(EntryError) -> [String] {
            switch entry.key {
            case "Image": break
            case "ContainerName": name = entry.value
            case "Exec": command = try split(entry)
            case "DockerArgs": dockerArgs += try split(entry)
            case "User": user = entry
            case "Group": group = entry
            case "Entrypoint": return ["--entrypoint=" + entry.value]
            case "EnvironmentFile": return try split(entry).flatMap { ["--env-file", absolute($0, in: directory)] }
            case "Volume": return ["--volume", try volume(entry, in: directory)]
            case "Mount": return ["--mount", try mount(entry)]
            case "Network": return ["--network", try network(entry)]
            case "AddDevice":
                guard !entry.value.hasPrefix("-") else {
                    throw EntryError(entry, "a device only if it exists (a leading -) is not supported")
                }
                return ["--device", entry.value]
            case "HealthCmd": return entry.value == "none" ? ["--no-healthcheck"] : ["--health-cmd", entry.value]
            case "HealthInterval":
                guard entry.value != "disable" else {
                    throw EntryError(entry, "docker has no \"disable\" interval; HealthCmd=none removes the check")
                }
                return ["--health-interval", entry.value]
            case "HealthOnFailure":
                reset(entry.key)
                own.append("--health-on-failure=" + (try healthOnFailure(entry)))
            case "Notify":
                reset(entry.key)
                if let mode = try notify(entry) { own.append("--sdnotify=" + mode) }
            case "StopTimeout":
                guard let seconds = Int(entry.value), seconds >= 0 else {
                    throw EntryError(entry, "\"\(entry.value)\" is not a number of seconds")
                }
                stopTimeout = seconds
            case "ReadOnly": readOnly = try systemdBoolean(entry)
            case "ReadOnlyTmpfs": readOnlyTmpfs = try systemdBoolean(entry)
            case "ReloadSignal": reloadSignal = entry.value
            case "ServiceName": serviceName = entry.value
            default: throw EntryError(entry, "unknown key in [Container]")
            }
            return []
        }

        /// docker run's options: the entries', then those several keys make together.
        func options() throws(EntryError) -> [(key: String, words: [String])] {
            var options = entryOptions
            if let group, user == nil { throw EntryError(group, "Group= needs User= (docker's --user USER:GROUP)") }
            if let user { options.append(("User", ["--user", user.value + (group.map { ":" + $0.value } ?? "")])) }
            if readOnly {
                // podman's --read-only-tmpfs (Quadlet's default): writable tmpfs where programs expect to write.
                options.append(("ReadOnly", ["--read-only"]
                                + (readOnlyTmpfs ? ["--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"] : [])))
            }
            if let stopTimeout { options.append(("StopTimeout", ["--stop-timeout", String(stopTimeout)])) }
            return options
        }
    }

    private static func split(_ entry: UnitFile.Entry) throws(EntryError) -> [String] {
        do { return try SystemdWords.split(entry.value) } catch { throw EntryError(entry, error.message) }
    }

    /// Quadlet's rule: a relative path is the source file's directory's, but one starting with a specifier
    /// (`%h/env`) is left to systemd.
    static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || path.hasPrefix("%") { return path }
        let relative = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return directory + "/" + relative
    }

    /// `SOURCE:DEST[:OPTIONS]`; a SOURCE starting with `.` is a path beside the source file (Quadlet).
    static func volume(_ entry: UnitFile.Entry, in directory: String) throws(EntryError) -> String {
        let value = entry.value
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, parts[0].hasSuffix(".volume") {
            throw EntryError(entry, "Quadlet's .volume units are podman's; name a docker volume or a path")
        }
        guard parts.count == 2, parts[0].hasPrefix(".") else { return value }
        return absolute(String(parts[0]), in: directory) + ":" + parts[1]
    }

    private static func mount(_ entry: UnitFile.Entry) throws(EntryError) -> String {
        for field in entry.value.split(separator: ",") where field.hasPrefix("source=") || field.hasPrefix("src=") {
            if field.hasSuffix(".volume") || field.hasSuffix(".image") || field.hasSuffix(".artifact") {
                throw EntryError(entry, "Quadlet's .volume, .image and .artifact units are podman's")
            }
        }
        return entry.value
    }

    private static func network(_ entry: UnitFile.Entry) throws(EntryError) -> String {
        let name = entry.value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        if name.hasSuffix(".network") || name.hasSuffix(".container") {
            throw EntryError(entry, "Quadlet's .network and .container references are podman's; name a docker "
                                    + "network, or container:NAME")
        }
        return entry.value
    }

    private static func healthOnFailure(_ entry: UnitFile.Entry) throws(EntryError) -> String {
        switch entry.value {
        case "none", "kill", "stop": return entry.value
        case "restart":
            throw EntryError(entry, "restart is the unit's job here: give kill, and Restart=on-failure in [Service]")
        default: throw EntryError(entry, "\"\(entry.value)\" is not one of none, kill, stop")
        }
    }

    /// `true` → the application says READY=1 itself; `healthy` → ready once healthy; false → once it runs.
    private static func notify(_ entry: UnitFile.Entry) throws(EntryError) -> String? {
        if entry.value.lowercased() == "healthy" { return "healthy" }
        do { return try systemdBoolean(entry) ? "container" : nil } catch {
            throw EntryError(entry, "\"\(entry.value)\" is not true, false or healthy")
        }
    }
}
