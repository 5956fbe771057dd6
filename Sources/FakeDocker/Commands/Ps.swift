import Foundation

/// `docker ps [-a] [-q] [--no-trunc] [--filter …] [--format …]`, newest first.
enum PsCommand {
    static let syntax = CommandSyntax(name: "ps", usage: "[OPTIONS]", flags: [
        FlagSpec(long: "all", short: "a", takesValue: false), FlagSpec(long: "quiet", short: "q", takesValue: false),
        FlagSpec(long: "no-trunc", short: nil, takesValue: false), FlagSpec(long: "filter", short: "f", takesValue: true),
        FlagSpec(long: "format", short: nil, takesValue: true), FlagSpec(long: "last", short: "n", takesValue: true),
        FlagSpec(long: "latest", short: "l", takesValue: false), FlagSpec(long: "size", short: "s", takesValue: false), .help,
    ], maxArguments: 0)

    static let defaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    static let headers: [(String, String)] = [
        ("ID", "CONTAINER ID"), ("Image", "IMAGE"), ("Command", "COMMAND"), ("CreatedAt", "CREATED AT"),
        ("RunningFor", "CREATED"), ("Ports", "PORTS"), ("State", "STATE"), ("Status", "STATUS"), ("Size", "SIZE"),
        ("Names", "NAMES"), ("Labels", "LABELS"), ("Mounts", "MOUNTS"), ("Networks", "NETWORKS"), ("LocalVolumes", "LOCAL VOLUMES"),
        ("Platform", "PLATFORM"),
    ]

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        var filters = try ContainerFilter(f.all("filter"), of: syntax)
        var containers: [ContainerSummary]
        do {
            containers = try ctx.store.containerSummaries()
            if let ancestors = filters.terms["ancestor"] {
                // An image that is not there matches nothing (the engine skips it, without an error).
                let roots = try ancestors.compactMap { try ctx.store.findImage($0)?.id }
                filters.ancestorIDs = FilterTerms.lineage(of: roots, in: try ctx.store.allImages())
            }
        } catch { throw DockerError.daemon("\(error)") }
        for i in containers.indices where containers[i].isRunning {
            containers[i] = try reconciled(containers[i], ctx)
        }
        let all = f.bool("all") || f.has("last") || f.bool("latest") || filters.selectsStatus
        containers = try filters.select(containers, all: all)
        if let n = f.last("last").flatMap(Int.init), n >= 0 { containers = Array(containers.prefix(n)) }
        if f.bool("latest") { containers = Array(containers.prefix(1)) }
        let noTrunc = f.bool("no-trunc")
        if f.bool("quiet") {
            Output.write(1, containers.map { (noTrunc ? $0.id : $0.shortID) + "\n" }.joined())
            return 0
        }
        let t = now()
        guard let format = f.last("format") else {
            // The default table, written directly: the same cells the default template would make.
            let cells = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]] + containers.map { c in
                [noTrunc ? c.id : c.shortID, c.imageRef, quotedCommand(c, noTrunc: noTrunc),
                 humanDuration(t - c.createdAt) + " ago", status(c, now: t), ports(c, ctx.store), c.name]
            }
            Output.write(1, tabwriter(cells: cells))
            return 0
        }
        var imageSizes: [String: Int64] = [:]
        if format.contains("Size") || format.contains("json") {
            do { for image in try ctx.store.allImages() { imageSizes[image.id] = image.size } } catch { throw DockerError.daemon("\(error)") }
        }
        let rows = containers.map { c in
            row(c, noTrunc: noTrunc, now: t, imageSize: imageSizes[c.imageID] ?? 0, for: format, ports: ports(c, ctx.store))
        }
        let header = TemplateValue.structure("*formatter.ContainerContext", headers.map { ($0.0, .string($0.1)) },
                                             methods: ["Label": TemplateMethod(results: [:], otherwise: .string("LABEL"))])
        Output.write(1, try TableFormat(format).render(rows: rows, header: header))
        return 0
    }

    /// PORTS: where a running container is published (PublishedPort.displayable).
    static func ports(_ c: ContainerSummary, _ store: StateStore) -> String {
        PublishedPort.displayable(PublishedPorts.records(c.id, running: c.isRunning, store: store))
    }

    /// A container recorded as running whose shim is gone is shown as the exited container it is (and
    /// recorded so: a state that cannot take it fails the listing, as the engine's own errors do).
    static func reconciled(_ summary: ContainerSummary, _ ctx: Context) throws(DockerError) -> ContainerSummary {
        guard !HostProcess.isAlive(pid: summary.shimPID, start: summary.shimStart) else { return summary }
        let full: Container?
        do { full = try ctx.store.container(id: summary.id) } catch { throw DockerError.daemon("\(error)") }
        // Removed since the listing was read: shown as listed.
        guard let full else { return summary }
        let fixed = try ctx.daemon.reconciled(full)
        var s = summary
        s.status = fixed.status
        s.exitCode = fixed.exitCode
        s.finishedAt = fixed.finishedAt
        return s
    }

    /// `"sh -c 'echo …"`: cut to 20 runes with an ellipsis unless --no-trunc, then Go-quoted
    /// (strconv.Quote: an inner `"` becomes `\"`), as the CLI's formatter does.
    static func quotedCommand(_ c: ContainerSummary, noTrunc: Bool) -> String {
        var command = c.command
        // Bytes bound runes from above, so runes are only counted for long commands.
        if !noTrunc && command.utf8.count > 20 && command.unicodeScalars.count > 20 {
            command = String(String.UnicodeScalarView(command.unicodeScalars.prefix(19))) + "…"
        }
        if !command.contains(where: { $0 == "\"" || $0 == "\\" || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? !$0.isASCII }) {
            return "\"" + command + "\""
        }
        return GoFormat.quote(command)
    }

    /// The template's view of a container. The costly fields (labels, times) are only worked out when
    /// the format names them; the others are there as empty strings, so a field the context has is
    /// never mistaken for an unknown one.
    /// `{{json .}}` writes every field. `Size` is the container's writable layer (nothing, here) and its image's.
    static func row(_ c: ContainerSummary, noTrunc: Bool, now: Double, imageSize: Int64, for format: String,
                    ports: @autoclosure () -> String = "") -> TemplateValue {
        let every = format.contains("json")
        func field(_ name: String, _ value: @autoclosure () -> String) -> (String, TemplateValue) {
            (name, .string(every || format.contains(name) ? value() : ""))
        }
        let withLabels = every || format.contains("Label")
        let labels = withLabels ? c.labels.sorted { $0.key < $1.key } : []
        return .structure("*formatter.ContainerContext", [
            ("ID", .string(noTrunc ? c.id : c.shortID)), ("Image", .string(c.imageRef)),
            field("Command", quotedCommand(c, noTrunc: noTrunc)), field("CreatedAt", goTimeString(c.createdAt)),
            field("RunningFor", humanDuration(now - c.createdAt) + " ago"), field("Ports", ports()),
            ("State", .string(c.status.rawValue)), field("Status", status(c, now: now)),
            field("Size", "0B (virtual \(humanSize(imageSize)))"), ("Platform", .null),
            ("Names", .string(c.name)), ("Labels", .string(labels.map { "\($0.key)=\($0.value)" }.joined(separator: ","))),
            ("Mounts", .string("")), ("Networks", .string(NetworkContainer.reference(c.networkMode) == nil ? c.networkMode : "")), ("LocalVolumes", .string("0")),
        ], methods: !withLabels ? [:] : ["Label": TemplateMethod(
            results: Dictionary(uniqueKeysWithValues: labels.map { ($0.key, TemplateValue.string($0.value)) }), otherwise: .string(""))])
    }

    /// The engine's status texts: `Up 5 seconds (healthy)`, `Exited (3) 2 seconds ago`, `Created`.
    /// A listing asks for the same few texts over and over: they are made once each.
    static func status(_ c: ContainerSummary, now: Double) -> String {
        let since = c.status == .running || c.status == .paused ? (c.startedAt ?? now) : (c.finishedAt ?? now)
        let key = StatusKey(status: c.status, exitCode: c.exitCode, health: c.health, seconds: Int(now - since))
        if let known = StatusKey.texts[key] { return known }
        let text = statusText(c, now: now)
        StatusKey.texts[key] = text
        return text
    }

    private struct StatusKey: Hashable {
        var status: ContainerStatus
        var exitCode: Int32
        var health: String
        var seconds: Int
        nonisolated(unsafe) static var texts: [StatusKey: String] = [:]
    }

    private static func statusText(_ c: ContainerSummary, now: Double) -> String {
        switch c.status {
        case .running:
            var s = "Up " + humanDuration(now - (c.startedAt ?? now))
            switch c.health {
            case "starting": s += " (health: starting)"
            case "healthy", "unhealthy": s += " (\(c.health))"
            default: break
            }
            return s
        case .exited: return "Exited (\(c.exitCode)) \(humanDuration(now - (c.finishedAt ?? now))) ago"
        case .created: return "Created"
        case .removing: return "Removal In Progress"
        case .dead: return "Dead"
        case .paused: return "Up " + humanDuration(now - (c.startedAt ?? now)) + " (Paused)"
        case .restarting: return "Restarting (\(c.exitCode)) \(humanDuration(now - (c.finishedAt ?? now))) ago"
        }
    }
}

/// `docker images [-q] [--no-trunc] [--format …]`: one row per tag, untagged images as <none>.
enum ImagesCommand {
    static let syntax = CommandSyntax(name: "images", usage: "[OPTIONS] [REPOSITORY[:TAG]]", flags: [
        FlagSpec(long: "all", short: "a", takesValue: false), FlagSpec(long: "quiet", short: "q", takesValue: false),
        FlagSpec(long: "no-trunc", short: nil, takesValue: false), FlagSpec(long: "digests", short: nil, takesValue: false),
        FlagSpec(long: "filter", short: "f", takesValue: true), FlagSpec(long: "format", short: nil, takesValue: true), .help,
    ], maxArguments: 1)

    static let defaultFormat = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        var filter = try ImageFilter(f.all("filter"), of: syntax)
        var images: [Image]
        do {
            images = try ctx.store.allImages()
            // The engine's answer for an image it cannot find; the last value of each key counts.
            func created(_ reference: String) throws -> Double {
                guard let image = try ctx.store.findImage(reference) else { throw DockerError.daemon("No such image: \(StateStore.normalizedTag(reference))") }
                return image.createdAt
            }
            filter.before = try filter.terms["before"]?.last.map(created)
            filter.since = try filter.terms["since"]?.last.map(created)
        } catch let error as DockerError { throw error } catch { throw DockerError.daemon("\(error)") }
        images = images.filter(filter.matches)
        let noTrunc = f.bool("no-trunc")
        let t = now()
        var rows: [TemplateValue] = []
        var ids: [String] = []
        for image in images {
            let tags = image.repoTags.isEmpty ? ["<none>:<none>"] : image.repoTags
            for tag in tags where filter.shows(tag: tag) {
                let colon = tag.lastIndex(of: ":")!
                let repository = String(tag[..<colon]), tagName = String(tag[tag.index(after: colon)...])
                if let wanted = f.arguments.first {
                    let w = wanted.contains(":") ? wanted : wanted + ":" + tagName
                    if w != tag { continue }
                }
                let id = noTrunc ? "sha256:" + image.id : String(image.id.prefix(12))
                if !ids.contains(id) { ids.append(id) }
                rows.append(.structure("*formatter.ImageContext", [
                    ("ID", .string(id)), ("Repository", .string(repository)), ("Tag", .string(tagName)),
                    ("Digest", .string("<none>")), ("CreatedSince", .string(humanDuration(t - image.createdAt) + " ago")),
                    ("CreatedAt", .string(goTimeString(image.createdAt))), ("Size", .string(humanSize(image.size))),
                    ("Containers", .string("N/A")), ("VirtualSize", .string(humanSize(image.size, precision: 4))),
                    ("SharedSize", .string("N/A")), ("UniqueSize", .string("N/A")),
                ]))
            }
        }
        if f.bool("quiet") {
            for id in ids { Output.out(id) }
            return 0
        }
        let header = TemplateValue.structure("*formatter.ImageContext", [
            ("ID", .string("IMAGE ID")), ("Repository", .string("REPOSITORY")), ("Tag", .string("TAG")),
            ("Digest", .string("DIGEST")), ("CreatedSince", .string("CREATED")), ("CreatedAt", .string("CREATED AT")),
            ("Size", .string("SIZE")), ("Containers", .string("CONTAINERS")), ("VirtualSize", .string("VIRTUAL SIZE")),
            ("SharedSize", .string("SHARED SIZE")), ("UniqueSize", .string("UNIQUE SIZE")),
        ])
        Output.write(1, try TableFormat(f.last("format") ?? defaultFormat).render(rows: rows, header: header))
        return 0
    }
}
