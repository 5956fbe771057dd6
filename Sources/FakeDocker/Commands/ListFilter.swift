import Glibc

/// `--filter` for `ps` and `images`, as Engine 20.10 applies it: the values of one key are alternatives and
/// different keys must all match, except `label`, whose every value must match (moby's `MatchKVList`).
/// A key the engine does not know is `Invalid filter 'KEY'` (1); a value without `=` is the command's usage error (125).
struct FilterTerms {
    var terms: [String: [String]] = [:]

    init(_ raw: [String], keys: Set<String>, of command: CommandSyntax) throws(DockerError) {
        for f in raw {
            guard let eq = f.firstIndex(of: "=") else {
                throw command.usageError("invalid argument \"\(f)\" for \"-f, --filter\" flag: bad format of filter (expected name=value)")
            }
            // The CLI lowercases the key (`STATUS=running` works), never the value.
            let key = String(f[..<eq]).lowercased(), value = String(f[f.index(after: eq)...])
            guard keys.contains(key) else { throw DockerError.daemon("Invalid filter '\(key)'") }
            terms[key, default: []].append(value)
        }
    }

    subscript(key: String) -> [String]? { terms[key] }

    /// Every `label=KEY` or `label=KEY=VALUE` holds for `labels`.
    func labelsMatch(_ labels: @autoclosure () -> [String: String]) -> Bool {
        guard let wanted = terms["label"] else { return true }
        let labels = labels()
        return wanted.allSatisfy { v in
            guard let eq = v.firstIndex(of: "=") else { return labels[v] != nil }
            return labels[String(v[..<eq])] == String(v[v.index(after: eq)...])
        }
    }

    /// The IDs of `roots` and of every image made from one of them, however many commits down (`parent` links).
    static func lineage(of roots: [String], in images: [Image]) -> Set<String> {
        var found = Set(roots)
        var children: [String: [String]] = [:]
        for image in images where !image.parent.isEmpty { children[image.parent, default: []].append(image.id) }
        var pending = roots
        while let id = pending.popLast() {
            for child in children[id] ?? [] where found.insert(child).inserted { pending.append(child) }
        }
        return found
    }
}

/// `docker ps --filter`. `since`/`before` name a container by full ID or name (a short ID is `no such container`
/// on Engine 20.10) and cut the newest-first listing there, before any other filter is applied; `ancestor` names an
/// image and matches the containers of it and of every image committed from it.
struct ContainerFilter {
    var terms: FilterTerms
    /// What `ancestor` matches, worked out by the caller from the image store (`FilterTerms.lineage`).
    var ancestorIDs: Set<String> = []

    static let keys: Set<String> = ["label", "name", "status", "id", "ancestor", "exited", "health", "since", "before"]

    init(_ raw: [String], of command: CommandSyntax) throws(DockerError) {
        terms = try FilterTerms(raw, keys: Self.keys, of: command)
        for value in terms["status"] ?? [] where ContainerStatus(rawValue: value) == nil {
            throw DockerError.daemon("Invalid filter 'status=\(value)'")
        }
    }

    /// `status` and `exited` list stopped containers without `-a` (`since` and `before` do not).
    var selectsStatus: Bool { terms["status"] != nil || terms["exited"] != nil }

    /// The containers of `listing` (newest first) the filters keep, stopped ones only when `all`.
    func select(_ listing: [ContainerSummary], all: Bool) throws(DockerError) -> [ContainerSummary] {
        var window = listing[...]
        // The engine resolves every value (an unknown one fails the listing) and keeps the last of each key.
        if let before = try boundary("before", in: listing) {
            window = window.drop { $0.id != before }.dropFirst()
        }
        if let since = try boundary("since", in: listing) {
            window = window.prefix { $0.id != since }
        }
        return window.filter { (all || $0.isRunning) && matches($0) }
    }

    private func boundary(_ key: String, in listing: [ContainerSummary]) throws(DockerError) -> String? {
        var found: String?
        for value in terms[key] ?? [] {
            let name = value.hasPrefix("/") ? String(value.dropFirst()) : value
            guard let c = listing.first(where: { $0.id == value || $0.name == name }) else {
                throw DockerError.daemon("no such container \(value)")
            }
            found = c.id
        }
        return found
    }

    func matches(_ c: ContainerSummary) -> Bool {
        guard terms.labelsMatch(c.labels) else { return false }
        for (key, values) in terms.terms where key != "label" && key != "since" && key != "before" {
            let ok = values.contains { v in
                switch key {
                case "name": return c.name.range(of: v.hasPrefix("/") ? String(v.dropFirst()) : v, options: .regularExpression) != nil
                case "status": return c.status.rawValue == v
                case "id": return c.id.hasPrefix(v)
                case "ancestor": return ancestorIDs.contains(c.imageID)
                case "exited": return c.status == .exited && String(c.exitCode) == v
                case "health": return (c.health.isEmpty ? "none" : c.health) == v
                default: return false
                }
            }
            if !ok { return false }
        }
        return true
    }
}

/// `docker images --filter`: `dangling=true|false` (exactly: anything else is `Invalid filter 'dangling=[V]'`),
/// `label` (every one), `before`/`since` an image (older / newer than it), `reference` a glob of `repo[:tag]`.
struct ImageFilter {
    var terms: FilterTerms
    /// When `before`/`since` name images, their creation times, worked out by the caller.
    var before: Double?
    var since: Double?

    static let keys: Set<String> = ["dangling", "label", "before", "since", "reference"]

    init(_ raw: [String], of command: CommandSyntax) throws(DockerError) {
        terms = try FilterTerms(raw, keys: Self.keys, of: command)
        if let dangling = terms["dangling"], !dangling.allSatisfy({ $0 == "true" || $0 == "false" }) {
            throw DockerError.daemon("Invalid filter 'dangling=[\(dangling.joined(separator: " "))]'")
        }
    }

    /// `dangling=true` keeps only untagged images, `false` only tagged ones; nil without the filter.
    var dangling: Bool? { terms["dangling"].map { $0.contains("true") } }

    /// Whether the image itself is listed (before its tags are looked at).
    func matches(_ image: Image) -> Bool {
        if let before, image.createdAt >= before { return false }
        if let since, image.createdAt <= since { return false }
        if let dangling, dangling != image.repoTags.isEmpty { return false }
        return terms.labelsMatch(image.config.labels)
    }

    /// Whether one `repo:tag` of a listed image is shown under `reference=` (a path glob on the repository,
    /// or on `repo:tag`); an untagged image has nothing to show then.
    func shows(tag: String) -> Bool {
        guard let patterns = terms["reference"] else { return true }
        let repository = String(tag[..<(tag.lastIndex(of: ":") ?? tag.endIndex)])
        return patterns.contains { p in
            fnmatch(p, p.contains(":") ? tag : repository, 0) == 0
        }
    }
}
