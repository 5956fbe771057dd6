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
