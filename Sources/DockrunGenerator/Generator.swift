/// How the generator runs: the dockrun its units start, and whether it is the user generator.
public struct GeneratorSettings: Equatable, Sendable {
    public var dockrun: String
    public var isUser: Bool

    public init(dockrun: String, isUser: Bool) {
        self.dockrun = dockrun; self.isUser = isUser
    }
}

/// A `.container` file found on the search path.
public struct SourceFile: Equatable, Sendable {
    public var directory: String
    public var name: String
    public var text: String

    public init(directory: String, name: String, text: String) {
        self.directory = directory; self.name = name; self.text = text
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
            let file: UnitFile
            do { file = try UnitFile.parse(source.text) } catch {
                throw EntryError(line: error.line, message: error.message)
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

extension EntryError {
    init(line: Int, message: String) {
        self.line = line; key = nil; self.message = message
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
