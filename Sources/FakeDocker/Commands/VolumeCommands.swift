import Foundation

/// `docker volume create|ls|inspect|rm` as Engine 20.10 and CLI 28.2 answer them (docs/engine-observations.md,
/// "volumes, tmpfs, --read-only"): the local driver only, its volumes directories of fake-docker's state.
enum VolumeCommand {
    static let usage = "Usage:  docker volume COMMAND"

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let rest = Array(args.dropFirst())
        switch args.first {
        case "create": return try create(rest, ctx)
        case "ls", "list": return try list(rest, ctx)
        case "inspect": return try inspect(rest, ctx)
        case "rm", "remove": return try removeCommand(rest, ctx)
        case "prune": return try prune(rest, ctx)
        case nil, "--help":
            Output.out(usage)
            return 0
        case let other?:
            throw DockerError("docker: unknown command: docker volume \(other)\n\nRun 'docker volume --help' for more information")
        }
    }

    // MARK: create

    static let createSyntax = CommandSyntax(name: "volume create", usage: "[OPTIONS] [VOLUME]", flags: [
        FlagSpec(long: "driver", short: "d", takesValue: true), FlagSpec(long: "label", short: nil, takesValue: true),
        FlagSpec(long: "opt", short: "o", takesValue: true), .help,
    ], maxArguments: 1)

    static func create(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try createSyntax.parse(args)
        let name = f.arguments.first ?? randomHexID()
        let driver = f.last("driver") ?? "local"
        let options = keyValues(f.all("opt"))
        do {
            try MountSyntax.checkVolumeName(name)
        } catch {
            throw DockerError.daemon(error.text)
        }
        guard driver == "local" else {
            throw DockerError.daemon("create \(name): error looking up volume plugin \(driver): plugin \"\(driver)\" not found")
        }
        // The local driver mounts a volume with options (a tmpfs, an NFS share) from its `device`; fake-docker keeps
        // them and mounts nothing.
        if !options.isEmpty && options["device"] == nil {
            throw DockerError.daemon("create \(name): missing required option: \"device\"")
        }
        do {
            try ctx.store.transaction {
                try ctx.store.insertVolume(Volume(name: name, driver: driver, labels: keyValues(f.all("label")), options: options,
                                                  createdAt: now()))
                try FileManager.default.createDirectory(atPath: ctx.store.volumeData(name), withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            }
        } catch {
            throw DockerError.daemon("create \(name): \(error)")
        }
        Output.out(name)
        return 0
    }

    /// `K=V` words as a map (`K` alone: an empty value), a later key replacing an earlier one.
    private static func keyValues(_ words: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for w in words {
            let key = String(w.prefix { $0 != "=" })
            map[key] = w.count > key.count ? String(w.dropFirst(key.count + 1)) : ""
        }
        return map
    }

    // MARK: ls

    static let listSyntax = CommandSyntax(name: "volume ls", usage: "[OPTIONS]", flags: [
        FlagSpec(long: "quiet", short: "q", takesValue: false), FlagSpec(long: "filter", short: "f", takesValue: true),
        FlagSpec(long: "format", short: nil, takesValue: true), FlagSpec(long: "cluster", short: nil, takesValue: false), .help,
    ], maxArguments: 0)

    static let defaultFormat = "table {{.Driver}}\t{{.Name}}"

    static func list(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try listSyntax.parse(args)
        let filter = try VolumeFilter(f.all("filter"), of: listSyntax)
        let volumes: [Volume]
        do {
            volumes = try ctx.store.volumes().filter { v in try filter.matches(v) { try ctx.store.volumeUsers(v.name).isEmpty } }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.daemon("\(error)")
        }
        if f.bool("quiet") {
            for v in volumes { Output.out(v.name) }
            return 0
        }
        let header = row(name: "VOLUME NAME", driver: "DRIVER", scope: "SCOPE", mountpoint: "MOUNTPOINT", labels: [:],
                         header: true)
        let rows = volumes.map { v in row(name: v.name, driver: v.driver, scope: "local", mountpoint: ctx.store.volumeData(v.name),
                                          labels: v.labels) }
        // CLI 28's `--format json` is `{{json .}}`.
        let format = f.last("format").map { $0 == "json" ? "{{json .}}" : $0 } ?? defaultFormat
        Output.write(1, try TableFormat(format).render(rows: rows, header: header))
        return 0
    }

    /// One row of `volume ls` (the CLI's `volumeContext`; the cluster volumes' fields are `N/A`), or the header.
    private static func row(name: String, driver: String, scope: String, mountpoint: String, labels: [String: String],
                            header: Bool = false) -> TemplateValue {
        func cell(_ value: String, _ title: String) -> TemplateValue { .string(header ? title : value) }
        let sorted = labels.sorted { $0.key < $1.key }
        return .structure("*formatter.volumeContext", [
            ("Name", .string(name)), ("Driver", .string(driver)), ("Scope", .string(scope)), ("Mountpoint", .string(mountpoint)),
            ("Labels", cell(sorted.map { "\($0.key)=\($0.value)" }.joined(separator: ","), "LABELS")),
            ("Links", cell("N/A", "LINKS")), ("Size", cell("N/A", "SIZE")), ("Group", cell("N/A", "GROUP")),
            ("Availability", cell("N/A", "AVAILABILITY")), ("Status", cell("N/A", "STATUS")),
        ], methods: ["Label": TemplateMethod(results: Dictionary(uniqueKeysWithValues: sorted.map { ($0.key, .string($0.value)) }),
                                             otherwise: .string(header ? "LABEL" : ""))])
    }

    // MARK: inspect

    static let inspectSyntax = CommandSyntax(name: "volume inspect", usage: "[OPTIONS] VOLUME [VOLUME...]", flags: [
        FlagSpec(long: "format", short: "f", takesValue: true), .help,
    ], minArguments: 1)

    static func inspect(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try inspectSyntax.parse(args)
        var objects: [TemplateValue] = []
        var errors: [String] = []
        for name in f.arguments {
            if let v = try? ctx.store.volume(named: name) {
                objects.append(document(v, mountpoint: ctx.store.volumeData(v.name)))
            } else {
                errors.append(noSuchVolume(name).message)
            }
        }
        try InspectCommand.printObjects(objects, format: f.last("format"))
        if !errors.isEmpty { throw DockerError(errors.joined(separator: "\n")) }
        return 0
    }

    /// The engine's `types.Volume`: its creation time in whole seconds, nil maps for no labels and no options.
    static func document(_ v: Volume, mountpoint: String) -> TemplateValue {
        func map(_ m: [String: String]) -> TemplateValue { m.isEmpty ? .null : InspectView.labels(m) }
        return .structure("types.Volume", [
            ("CreatedAt", .string(rfc3339(v.createdAt.rounded(.down)))), ("Driver", .string(v.driver)), ("Labels", map(v.labels)),
            ("Mountpoint", .string(mountpoint)), ("Name", .string(v.name)), ("Options", map(v.options)),
            ("Scope", .string("local")),
        ])
    }

    private static func noSuchVolume(_ name: String) -> DockerError { .daemon("get \(name): no such volume") }

    // MARK: rm

    static let removeSyntax = CommandSyntax(name: "volume rm", usage: "[OPTIONS] VOLUME [VOLUME...]", flags: [
        FlagSpec(long: "force", short: "f", takesValue: false), .help,
    ], minArguments: 1)

    static func removeCommand(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try removeSyntax.parse(args)
        return try forEachContainer(f.arguments) { name throws(DockerError) in
            do throws(DockerError) {
                try remove(name, store: ctx.store)
            } catch {
                // `-f` forgives a missing volume, never one in use.
                guard f.bool("force") && error.message == noSuchVolume(name).message else { throw error }
            }
            Output.out(name)
        }
    }

    /// Removes the volume and its files, unless a container mounts it (the engine's refusal lists them).
    static func remove(_ name: String, store: StateStore) throws(DockerError) {
        do {
            try store.transaction {
                guard try store.volume(named: name) != nil else { throw noSuchVolume(name) }
                let users = try store.volumeUsers(name)
                if !users.isEmpty {
                    throw DockerError.daemon("remove \(name): volume is in use - [\(users.joined(separator: " "))]")
                }
                try store.deleteVolume(name)
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.daemon("remove \(name): \(error)")
        }
        FileTree.remove(store.volumeDirectory(name))
    }
}

extension VolumeCommand {
    static let pruneSyntax = CommandSyntax(name: "volume prune", usage: "[OPTIONS]", flags: [
        FlagSpec(long: "force", short: "f", takesValue: false), FlagSpec(long: "filter", short: nil, takesValue: true),
        FlagSpec(long: "all", short: "a", takesValue: false), .help,
    ], maxArguments: 0)

    /// `volume prune`: every volume no container mounts (Engine 20.10 prunes named ones too; `--all` is API 1.42's),
    /// those `label=`/`label!=` select; asks first unless `-f`, and says what it freed as the CLI does.
    static func prune(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try pruneSyntax.parse(args)
        if f.bool("all") { throw DockerError("\"--all\" requires API version 1.42, but the Docker daemon API version is 1.41") }
        let filter = try PruneFilter(f.all("filter"), of: pruneSyntax)
        if !f.bool("force") {
            let prompt = "WARNING! This will remove all local volumes not used by at least one container.\n"
                + "Are you sure you want to continue? [y/N] "
            Output.write(1, prompt)
            guard let answer = readLine(), ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
            else { return 0 }
        }
        var deleted: [String] = []
        var reclaimed: Int64 = 0
        do {
            for v in try ctx.store.volumes() where filter.matches(v.labels) {
                guard try ctx.store.volumeUsers(v.name).isEmpty else { continue }
                let size = FileTree.size(ctx.store.volumeData(v.name))
                do throws(DockerError) { try remove(v.name, store: ctx.store) } catch { continue }   // taken meanwhile
                deleted.append(v.name)
                reclaimed += size
            }
        } catch {
            throw DockerError.daemon("\(error)")
        }
        if !deleted.isEmpty { Output.out("Deleted Volumes:\n" + deleted.joined(separator: "\n") + "\n") }
        Output.out("Total reclaimed space: " + humanSize(reclaimed, precision: 4))
        return 0
    }
}

/// `volume prune --filter`: `label=KEY[=VALUE]` must hold, `label!=KEY[=VALUE]` must not (moby's prune filters).
struct PruneFilter {
    var terms: FilterTerms

    init(_ raw: [String], of command: CommandSyntax) throws(DockerError) {
        terms = try FilterTerms(raw, keys: ["label", "label!"], of: command)
    }

    func matches(_ labels: [String: String]) -> Bool {
        guard terms.labelsMatch(labels) else { return false }
        return !(terms["label!"] ?? []).contains { v in
            var one = terms
            one.terms = ["label": [v]]
            return one.labelsMatch(labels)
        }
    }
}

/// `volume ls --filter`: `name` (a regular expression, as the engine matches it), `label`, `dangling` (no container
/// mounts it), `driver`.
struct VolumeFilter {
    var terms: FilterTerms

    init(_ raw: [String], of command: CommandSyntax) throws(DockerError) {
        terms = try FilterTerms(raw, keys: ["name", "label", "dangling", "driver"], of: command)
    }

    func matches(_ v: Volume, unused: () throws -> Bool) throws -> Bool {
        if let names = terms["name"], !names.contains(where: { Self.search($0, in: v.name) }) { return false }
        if let drivers = terms["driver"], !drivers.contains(where: { Self.search($0, in: v.driver) }) { return false }
        guard terms.labelsMatch(v.labels) else { return false }
        if let dangling = terms["dangling"]?.last {
            return try unused() == (dangling == "true" || dangling == "1")
        }
        return true
    }

    /// Go's regexp.MatchString: `pattern` anywhere in `text`; a pattern that does not compile matches nothing.
    static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
