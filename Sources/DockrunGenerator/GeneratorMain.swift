#if canImport(Glibc)
import Glibc
#endif

/// The generator's shell: reads the search path and the files, writes the units and links (or prints them with
/// `--dryrun`), says each file's error on stderr and, run by systemd, in the kernel log (the journal reads it).
/// Decides nothing.
/// Exit 1 when a file gave no unit (the others are written all the same), as Quadlet.
public func dockrunGeneratorMain(_ arguments: [String], program: String) -> Int32 {
    let invocation: GeneratorInvocation
    do { invocation = try GeneratorInvocation.parse(arguments, program: program) } catch {
        say(error.message + "\n" + GeneratorInvocation.usage)
        return 2
    }
    let environment = Dictionary(ProcessEnvironment.pairs(), uniquingKeysWith: { _, last in last })
    let directories = SearchPath.directories(environment: environment, isUser: invocation.isUser)
    let (sources, readErrors) = FileSystem.sources(in: directories)
    var errors = readErrors
    let settings = GeneratorSettings(dockrun: FileSystem.dockrunBesideSelf(), isUser: invocation.isUser)
    let generation = Generation.make(sources, settings: settings)
    errors += generation.errors
    if invocation.dryRun {
        print(generation.dryRunText, terminator: "")
    } else if let output = invocation.outputDirectory {
        for unit in generation.units {
            if let failure = FileSystem.write(unit, into: output) {
                errors.append(GeneratorError(file: output + "/" + unit.name, message: failure))
            }
        }
    }
    for error in errors {
        say(error.description)
        if invocation.kernelLog { kernelLog(error.description) }
    }
    return errors.isEmpty ? 0 : 1
}

private func say(_ message: String) {
    let text = message.split(separator: "\n", omittingEmptySubsequences: false)
        .map { "dockrun-generator: \($0)\n" }.joined()
    _ = text.withCString { write(2, $0, strlen($0)) }
}

/// One record of the kernel log per message, at priority 3 (error), tagged as syslog would tag it.
private func kernelLog(_ message: String) {
    let descriptor = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let record = "<3>dockrun-generator[\(getpid())]: \(message)\n"
    _ = record.withCString { write(descriptor, $0, strlen($0)) }
}
