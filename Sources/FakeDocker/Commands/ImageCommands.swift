import DockerSyntax
import Foundation

/// Validates a commit/tag target before any daemon call, with docker's messages (exit 1).
func parseTarget(_ reference: String) throws(DockerError) -> ImageReference {
    do { return try ImageReference.parse(reference) } catch { throw DockerError(error.description) }
}

/// Registers an image whose files are already in `rootfs(ofImage: id)`, tagging it when asked.
func registerImage(_ ctx: Context, id: String, config: ImageConfig, parent: String, comment: String, tag: ImageReference?) throws(DockerError) {
    let image = Image(id: id, config: config, createdAt: now(), parent: parent, comment: comment,
                      size: FileTree.size(ctx.store.rootfs(ofImage: id)), repoTags: [])
    do {
        try ctx.store.transaction {
            try ctx.store.insert(image)
            if let tag { try ctx.store.tag(tag.description, imageID: id) }
        }
    } catch {
        throw DockerError.daemon("\(error)")
    }
}

enum CommitCommand {
    static let syntax = CommandSyntax(name: "commit", usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", flags: [
        FlagSpec(long: "author", short: "a", takesValue: true), FlagSpec(long: "change", short: "c", takesValue: true),
        FlagSpec(long: "message", short: "m", takesValue: true), FlagSpec(long: "pause", short: "p", takesValue: false), .help,
    ], minArguments: 1, maxArguments: 2, interspersed: false)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let target = try f.arguments.count > 1 && !f.arguments[1].isEmpty ? parseTarget(f.arguments[1]) : nil
        let c = try ctx.daemon.find(f.arguments[0])
        if let text = f.arguments.count > 1 ? f.arguments[1] : nil, target != nil {
            do { _ = try ImageReference.parseForEngine(text) } catch { throw DockerError.daemon(error.description) }
        }
        let id = randomHexID()
        do {
            try FileManager.default.createDirectory(atPath: ctx.store.imageDirectory(id), withIntermediateDirectories: true)
            try FileTree.clone(from: ctx.store.rootfs(ofContainer: c.id), to: ctx.store.rootfs(ofImage: id))
        } catch {
            FileTree.remove(ctx.store.imageDirectory(id))
            throw DockerError.daemon("\(error)")
        }
        var config = ImageConfig(cmd: c.config.cmd, entrypoint: c.config.entrypoint, env: c.config.env,
                                 workingDir: c.config.workingDir, user: c.config.user, labels: c.config.labels,
                                 stopSignal: c.config.stopSignal, exposedPorts: [])
        for change in f.all("change") { try DockerfileChange.apply(change, to: &config) }
        try registerImage(ctx, id: id, config: config, parent: c.imageID, comment: f.last("message") ?? "", tag: target)
        Output.out("sha256:\(id)")
        return 0
    }
}

enum TagCommand {
    static let syntax = CommandSyntax(name: "tag", usage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", flags: [.help],
                                      minArguments: 2, exactArguments: true, interspersed: false)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let source = f.arguments[0], target = try clientTarget(source: source, f.arguments[1])
        do { _ = try ImageReference.parseForEngine(f.arguments[1]) } catch { throw DockerError.daemon(error.description) }
        do {
            // Looked up and tagged in one transaction: an `rmi` in between would leave the tag naming no image.
            try ctx.store.transaction {
                guard let image = try? ctx.store.findImage(f.arguments[0]) else {
                    throw DockerError.daemon("No such image: \(StateStore.normalizedTag(f.arguments[0]))")
                }
                // The reference store's refusal of a name that reads as a digest, once the image is found.
                if target.repository == "sha256" {
                    throw DockerError.daemon("refusing to create an ambiguous tag using digest algorithm as name")
                }
                try ctx.store.tag(target.description, imageID: image.id)
            }
        } catch let e as DockerError {
            throw e
        } catch {
            throw DockerError.daemon("\(error)")
        }
        return 0
    }

    /// The client's checks (ImageTag): the source must read as a reference or an ID, the target as a name.
    private static func clientTarget(source: String, _ target: String) throws(DockerError) -> ImageReference {
        func refused(_ text: String, _ error: ImageReference.ParseError) -> DockerError {
            DockerError("Error parsing reference: \"\(text)\" is not a valid repository/tag: \(error.description)")
        }
        let isID = source.count == 64 && source.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        if !isID {
            do { _ = try ImageReference.parse(source) } catch {
                // ParseAnyReference takes a digest reference too, which a tag's target may not be.
                if case .digestReference = error {} else { throw refused(source, error) }
            }
        }
        do { return try ImageReference.parse(target) } catch { throw refused(target, error) }
    }
}

enum RmiCommand {
    static let syntax = CommandSyntax(name: "rmi", usage: "[OPTIONS] IMAGE [IMAGE...]", flags: [
        FlagSpec(long: "force", short: "f", takesValue: false), FlagSpec(long: "no-prune", short: nil, takesValue: false), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let force = f.bool("force")
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            try checkReference(reference)
            let store = ctx.store
            let tag = StateStore.normalizedTag(reference)
            // The image's users are weighed and the image deleted in one transaction: a container
            // created from it meanwhile is either seen here or refused by `create`, never left without it.
            let removal: Removal
            do {
                removal = try store.transaction { () throws -> Removal in
                    guard let image = try? store.findImage(reference) else {
                        throw DockerError.daemon("No such image: \(reference.hasPrefix("sha256:") ? reference : tag)")
                    }
                    let byTag = image.repoTags.contains(tag)
                    let users = try store.containerUsers(ofImage: image.id)
                    if byTag && image.repoTags.count > 1 {
                        try store.untag(tag)
                        return .untagged(tag)
                    }
                    let shortImage = image.id.prefix(12)
                    if let running = users.first(where: \.running) {
                        throw DockerError.daemon("conflict: unable to delete \(shortImage) (cannot be forced) - image is being used by running container \(running.id.prefix(12))")
                    }
                    if let user = users.first, !force {
                        throw DockerError.daemon(byTag
                            ? "conflict: unable to remove repository reference \"\(tag)\" (must force) - container \(user.id.prefix(12)) is using its referenced image \(shortImage)"
                            : "conflict: unable to delete \(shortImage) (must be forced) - image is being used by stopped container \(user.id.prefix(12))")
                    }
                    try store.deleteImage(image)
                    return .deleted(image)
                }
            } catch let e as DockerError {
                throw e
            } catch {
                throw DockerError.daemon("\(error)")
            }
            switch removal {
            case .untagged(let tag):
                Output.out("Untagged: \(tag)")
            case .deleted(let image):
                for tag in image.repoTags { Output.out("Untagged: \(tag)") }
                FileTree.remove(store.imageDirectory(image.id))
                Output.out("Deleted: sha256:\(image.id)")
                // An imported image also had a layer of its own; a commit's layer is reported with it.
                if image.parent.isEmpty { Output.out("Deleted: sha256:\(randomHexID())") }
            }
        }
    }

    /// The daemon's reading of a reference before it looks for the image: an empty one is not even a route
    /// (`DELETE /images/`), one that is neither an ID nor a name is refused with the parser's words.
    private static func checkReference(_ reference: String) throws(DockerError) {
        if reference.isEmpty { throw DockerError.daemon("page not found") }
        if reference.hasPrefix("sha256:") || (reference.allSatisfy(\.isHexDigit) && reference.count == 64) { return }
        do { _ = try ImageReference.parseForEngine(reference) } catch {
            // The daemon's older parser words every upper-case name the same way.
            if case .mustBeLowercase = error { throw DockerError.daemon(ImageReference.ParseError.daemonMustBeLowercase.description) }
            throw DockerError.daemon(error.description)
        }
    }

    /// What one reference's removal did, printed once it is committed.
    private enum Removal {
        case untagged(String)
        case deleted(Image)
    }
}

enum ImportCommand {
    static let syntax = CommandSyntax(name: "import", usage: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", flags: [
        FlagSpec(long: "change", short: "c", takesValue: true), FlagSpec(long: "message", short: "m", takesValue: true),
        FlagSpec(long: "platform", short: nil, takesValue: true), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let source = f.arguments[0]
        let target = try f.arguments.count > 1 ? parseTarget(f.arguments[1]) : nil
        var config = ImageConfig.empty
        for change in f.all("change") { try DockerfileChange.apply(change, to: &config) }
        if source != "-" && access(source, R_OK) != 0 { throw DockerError("open \(source): no such file or directory") }
        let id = randomHexID()
        let rootfs = ctx.store.rootfs(ofImage: id)
        do {
            try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        } catch {
            throw DockerError.daemon("\(error)")
        }
        // The daemon takes a tar compressed with gzip, bzip2 or xz alike; tar tells them apart only in a file it
        // can read from the start again, so a stream on stdin is kept in one first.
        let archive = source == "-" ? ctx.store.imageDirectory(id) + "/archive" : source
        let unpacked = (source != "-" || runTool(["/bin/cp", "/dev/stdin", archive], stdin: 0) == 0)
            && runTool(["/bin/tar", "-x", "-f", archive, "-C", rootfs, "--no-same-owner"]) == 0
        let size = FileTree.size(archive)
        if source == "-" { unlink(archive) }
        guard unpacked else {
            FileTree.remove(ctx.store.imageDirectory(id))
            // Go's archive/tar: a stream shorter than one header block ends early, a longer one is not a tar.
            let reason = size < 512 ? "unexpected EOF" : "archive/tar: invalid tar header"
            throw DockerError.daemon("ApplyLayer exit status 1 stdout:  stderr: \(reason)")
        }
        try registerImage(ctx, id: id, config: config, parent: "", comment: f.last("message") ?? "Imported from -", tag: target)
        Output.out("sha256:\(id)")
        return 0
    }
}

/// The Dockerfile instructions `--change` accepts on commit and import, read as moby's builder reads them.
enum DockerfileChange {
    static func apply(_ change: String, to config: inout ImageConfig) throws(DockerError) {
        let trimmed = change.trimmingCharacters(in: " \t")
        let keyword = String(trimmed.prefix { $0 != " " && $0 != "\t" }).uppercased()
        let rest = String(trimmed.dropFirst(keyword.count)).trimmingCharacters(in: " \t")
        func list() -> [String] {
            if rest.hasPrefix("["), let data = rest.data(using: .utf8),
               let array = try? JSONSerialization.jsonObject(with: data) as? [String] { return array }
            return ["/bin/sh", "-c", rest]
        }
        switch keyword {
        case "CMD": config.cmd = list()
        case "ENTRYPOINT": config.entrypoint = list()
        case "ENV":
            for (key, value) in try nameValues(rest, keyword: keyword) {
                config.env.removeAll { $0.hasPrefix(key + "=") }
                config.env.append(key + "=" + value)
            }
        case "WORKDIR": config.workingDir = rest
        case "USER": config.user = rest
        case "STOPSIGNAL": config.stopSignal = rest
        case "EXPOSE": config.exposedPorts = Array(Set(config.exposedPorts + (try ports(rest)))).sorted()
        case "LABEL":
            for (key, value) in try nameValues(rest, keyword: keyword) { config.labels[key] = value }
        case "VOLUME":
            let paths = rest.hasPrefix("[") ? list() : words(rest).map(unquoted)
            config.volumes = Array(Set((config.volumes ?? []) + paths)).sorted()
        case "ONBUILD":
            // Kept as written (`run echo hi` stays lower-case on the engine).
            if rest.prefix(while: { $0 != " " && $0 != "\t" }).uppercased() == "ONBUILD" {
                throw DockerError.daemon("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
            }
            config.onBuild = (config.onBuild ?? []) + [rest]
        case "HEALTHCHECK": break
        default:
            throw DockerError.daemon("\(keyword.lowercased()) is not a valid change command")
        }
    }

    /// moby's `parseNameVal`: the old form `KEY name value…` when the first word has no `=` (the value is the
    /// rest of the line), else `KEY a=b "c d"=e …`, every word a `name=value`; quotes are then removed.
    static func nameValues(_ rest: String, keyword: String) throws(DockerError) -> [(String, String)] {
        let all = words(rest)
        guard let first = all.first else { throw DockerError.daemon("\(keyword) requires at least one argument") }
        if !first.contains("=") {
            guard let gap = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw DockerError.daemon("\(keyword) must have two arguments")
            }
            return [(unquoted(String(rest[..<gap])), unquoted(String(rest[gap...]).trimmingCharacters(in: " \t")))]
        }
        return try all.map { word throws(DockerError) in
            guard let eq = word.firstIndex(of: "=") else {
                throw DockerError.daemon("Syntax error - can't find = in \"\(word)\". Must be of the form: name=value")
            }
            return (unquoted(String(word[..<eq])), unquoted(String(word[word.index(after: eq)...])))
        }
    }

    /// The words of a line split at blanks outside quotes, quotes and backslashes kept (moby's `parseWords`).
    static func words(_ line: String) -> [String] {
        var words: [String] = [], word = "", quote: Character?, escaped = false
        for ch in line {
            if escaped { word.append(ch); escaped = false; continue }
            if ch == "\\" && quote != "'" { word.append(ch); escaped = true; continue }
            if let q = quote {
                if ch == q { quote = nil }
                word.append(ch)
            } else if ch == " " || ch == "\t" {
                if !word.isEmpty { words.append(word); word = "" }
            } else {
                if ch == "\"" || ch == "'" { quote = ch }
                word.append(ch)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    /// A word with its quotes removed and its backslash escapes applied, as the builder's shell lexer does.
    static func unquoted(_ word: String) -> String {
        var out = "", quote: Character?, escaped = false
        for ch in word {
            if escaped { out.append(ch); escaped = false; continue }
            if ch == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote, ch == q { quote = nil; continue }
            if quote == nil && (ch == "\"" || ch == "'") { quote = ch; continue }
            out.append(ch)
        }
        return out
    }

    /// `EXPOSE 80 90-92/udp`: each port as `PORT/PROTO` (tcp unless given), a range as every port in it.
    static func ports(_ rest: String) throws(DockerError) -> [String] {
        var ports: [String] = []
        for spec in words(rest).map(unquoted) {
            let parts = spec.split(separator: "/", maxSplits: 1).map(String.init)
            let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
            let bounds = parts.first?.split(separator: "-", maxSplits: 1).map { UInt16($0) } ?? []
            guard let low = bounds.first ?? nil, let high = bounds.count > 1 ? bounds[1] : low, low <= high else {
                throw DockerError.daemon("Invalid containerPort: \(parts.first ?? spec)")
            }
            ports += (low...high).map { "\($0)/\(proto)" }
        }
        return ports
    }
}
