/// How the generator runs: the dockrun its units start, and whether it is the user generator.
public struct GeneratorSettings: Equatable, Sendable {
    public var dockrun: String
    public var isUser: Bool

    public init(dockrun: String, isUser: Bool) {
        self.dockrun = dockrun; self.isUser = isUser
    }
}

/// A `.container` file found on the search path, and its drop-ins (path and text), in the order they apply.
public struct SourceFile: Equatable, Sendable {
    public var directory: String
    public var name: String
    public var text: String
    public var dropIns: [(path: String, text: String)]

    public init(directory: String, name: String, text: String, dropIns: [(path: String, text: String)] = []) {
        self.directory = directory; self.name = name; self.text = text; self.dropIns = dropIns
    }

    public static func == (a: SourceFile, b: SourceFile) -> Bool {
        a.directory == b.directory && a.name == b.name && a.text == b.text
            && a.dropIns.map(\.path) == b.dropIns.map(\.path) && a.dropIns.map(\.text) == b.dropIns.map(\.text)
    }

    public var path: String { directory + "/" + name }
}

/// What one run of the generator makes of its source files: the units, and one error for each file that gave
/// none (the others are generated all the same).
public struct Generation: Equatable, Sendable {
    public var units: [ServiceUnit]
    public var errors: [GeneratorError]

    public static func make(_ sources: [SourceFile], settings: GeneratorSettings) -> Generation {
        var generation = Generation(units: [], errors: [])
        for source in sources {
            do {
                generation.units.append(try unit(source, settings: settings))
            } catch {
                generation.errors.append(error)
            }
        }
        return generation
    }

    static func unit(_ source: SourceFile, settings: GeneratorSettings) throws(GeneratorError) -> ServiceUnit {
        do throws(EntryError) {
            var file = try parse(source.text, dropIn: nil)
            for dropIn in source.dropIns {
                file = file.merging(try parse(dropIn.text, dropIn: dropIn.path), from: dropIn.path)
            }
            let base = String(source.name.dropLast(".container".count))
            let command = try ContainerCommand.make(file, directory: source.directory, isInstance: base.contains("@"))
            let name = (command.serviceName ?? base) + ".service"
            return try ServiceUnit.make(file, source: source.path, command: command, name: name, settings: settings)
        } catch {
            throw error.inFile(source.path)
        }
    }
}

private func parse(_ text: String, dropIn: String?) throws(EntryError) -> UnitFile {
    do { return try UnitFile.parse(text) } catch {
        throw EntryError(line: error.line, message: error.message, dropIn: dropIn)
    }
}

/// Quadlet's drop-ins: `*.conf` files in directories named after the file, merged into it in the order of their
/// names, a later one's single values winning.
public enum DropIns {
    /// The drop-in directories of a file (`foo-bar@x.container`), the most specific first: its own
    /// (`foo-bar@x.container.d`), its template's (`foo-bar@.container.d`), each shorter dash prefix
    /// (`foo-bar-.container.d`… `foo-.container.d`), and every file's (`container.d`).
    public static func directories(for name: String) -> [String] {
        let suffix = ".container"
        let base = String(name.dropLast(suffix.count))
        var directories = [name + ".d"]
        if let at = base.firstIndex(of: "@"), base.index(after: at) != base.endIndex {
            directories.append(base[...at] + suffix + ".d")
        }
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        for count in stride(from: parts.count - 1, to: 0, by: -1) {
            directories.append(parts[..<count].joined(separator: "-") + "-" + suffix + ".d")
        }
        return directories + ["container.d"]
    }

    /// The drop-ins that apply, from listings in order of precedence (the most specific directory first, and
    /// for one directory name the earlier search directory first): of one file name the first listed wins (a
    /// more specific drop-in of that name replaces a general one), and they apply in the order of their names.
    public static func select(_ listings: [(directory: String, names: [String])]) -> [String] {
        var chosen: [String: String] = [:]
        for listing in listings {
            for name in listing.names where name.hasSuffix(".conf") && chosen[name] == nil {
                chosen[name] = listing.directory + "/" + name
            }
        }
        return chosen.keys.sorted().compactMap { chosen[$0] }
    }
}

/// Where the source files are, and which of them count.
public enum SearchPath {
    /// `DOCKRUN_UNIT_PATH` (directories separated by `:`) when set; else /etc/dockrun/containers for the system,
    /// `$XDG_CONFIG_HOME/dockrun/containers` (or `~/.config/dockrun/containers`) for a user.
    public static func directories(environment: [String: String], isUser: Bool) -> [String] {
        if let path = environment["DOCKRUN_UNIT_PATH"] {
            return path.split(separator: ":").map(String.init)
        }
        guard isUser else { return ["/etc/dockrun/containers"] }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return [config + "/dockrun/containers"]
        }
        return environment["HOME"].map { [$0 + "/.config/dockrun/containers"] } ?? []
    }

    /// The `*.container` files of each directory, by name; a name in an earlier directory hides the same name
    /// in a later one.
    public static func select(_ listings: [(directory: String, names: [String])]) -> [(directory: String, name: String)] {
        var seen: Set<String> = []
        var chosen: [(directory: String, name: String)] = []
        for listing in listings {
            for name in listing.names.sorted()
            where name.hasSuffix(".container") && name.count > ".container".count && !seen.contains(name) {
                seen.insert(name)
                chosen.append((listing.directory, name))
            }
        }
        return chosen
    }
}

/// The command line systemd (or a person, with `--dryrun`) gives the generator.
public struct GeneratorInvocation: Equatable, Sendable {
    public var dryRun: Bool
    public var isUser: Bool
    /// Messages also go to /dev/kmsg, as systemd.generator(7) asks: systemd (252) gives a generator /dev/null
    /// for stderr, and the kernel log is what the journal reads. Not with --dryrun or --no-kmsg-log.
    public var kernelLog: Bool
    /// systemd's normal output directory (of normal, early, late), where the units go.
    public var outputDirectory: String?

    public static let usage = "usage: dockrun-generator [--user] [--no-kmsg-log] NORMAL-DIR [EARLY-DIR LATE-DIR]\n"
        + "       dockrun-generator [--user] --dryrun"

    /// The user generator is the one run from a user-generators directory, installed as dockrun-user-generator
    /// (as Quadlet tells by its name), or given `--user`.
    public static func parse(_ arguments: [String], program: String) throws(UsageError) -> GeneratorInvocation {
        let base = program.split(separator: "/").last.map(String.init) ?? program
        var invocation = GeneratorInvocation(dryRun: false, isUser: base.contains("user"), kernelLog: true,
                                             outputDirectory: nil)
        var directories: [String] = []
        for argument in arguments {
            switch argument {
            case "--dryrun", "-dryrun": invocation.dryRun = true
            case "--user", "-user": invocation.isUser = true
            case "--no-kmsg-log", "-no-kmsg-log": invocation.kernelLog = false
            default:
                guard !argument.hasPrefix("-") else {
                    throw UsageError(message: "unknown option \(argument)")
                }
                directories.append(argument)
            }
        }
        guard invocation.dryRun || [1, 3].contains(directories.count) else {
            throw UsageError(message: "give systemd's three output directories, or --dryrun")
        }
        invocation.outputDirectory = directories.first
        invocation.kernelLog = invocation.kernelLog && !invocation.dryRun
        return invocation
    }
}

public struct UsageError: Error, Equatable, Sendable {
    public var message: String
}

extension Generation {
    /// `--dryrun`'s output (as Quadlet's `-dryrun`): each unit headed by its name, its [Install] links after it.
    public var dryRunText: String {
        units.map { unit in
            "---\(unit.name)---\n" + unit.text + unit.links.map { "# link: \($0.path) -> \($0.target)\n" }.joined()
        }.joined(separator: "\n")
    }
}
