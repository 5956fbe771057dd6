import DockerSyntax
import Glibc
import ProcessSpawn

/// Everything that stops dockrun before or instead of running a container, with what the user needs
/// to read and the exit code it leaves with.
public enum DockrunError: Error, Equatable, Sendable {
    /// `-d`/`--detach` or `-a`/`--attach`: dockrun supervises an attached client, so it cannot honour them.
    case attachedOnly(spelling: String)
    /// `--restart` other than `no`: the monitor restarts the service.
    case restartPolicy(spelling: String, value: String)
    case missingValue(option: String)
    case invalidBool(option: String, value: String)
    case invalidCommitReference(String, ImageReference.ParseError)
    case noImage
    case invalidChoice(option: String, value: String, choices: [String])
    case replaceNeedsName
    /// `--engine-wait` or DOCKRUN_ENGINE_WAIT is not a number of seconds.
    case invalidSeconds(option: String, value: String)
    case cleanupNeedsTarget
    /// `--sdnotify=healthy` or `--health-on-failure` (`option`) for a run without a health check (`reason`).
    case noHealthCheck(option: String, reason: String)
    /// `--replace` found a container of that name and could not remove it: nothing was started.
    case replaceFailed(name: String, message: String)
    /// `--cleanup` could not stop or remove the service's container.
    case cleanupFailed(target: String, message: String)
    case dockerNotFound(String)
    case dockerNotExecutable(String)
    /// A system call failed before the container could be started (no temp dir, no signalfd...).
    case system(String)

    /// Why the docker CLI could not be started, by the errno of its exec: as a shell tells a missing
    /// program from one it may not run.
    public init(startingDocker docker: String, _ failure: SystemCallError) {
        switch failure.errno {
        case ENOENT, ENOTDIR: self = .dockerNotFound(docker)
        case EACCES: self = .dockerNotExecutable(docker)
        default: self = .system("cannot start \(docker): \(failure.text)")
        }
    }

    public var message: String {
        switch self {
        case .attachedOnly(let spelling):
            return "\(spelling) is not supported: dockrun must stay attached to the container to relay its output, signals and exit code"
        case .restartPolicy(let spelling, let value):
            return "\(spelling) \(value) is not supported: the monitor that runs dockrun restarts the service "
                + "(a restart by docker would fight it, and dockrun's --rm); dockrun runs the container once"
        case .missingValue(let option):
            return "flag needs an argument: \(option)"
        case .invalidBool(let option, let value):
            return "invalid argument \"\(value)\" for \"\(option)\" flag: not a boolean"
        case .invalidCommitReference(let text, let error):
            return "invalid --commit reference \"\(text)\": \(error)"
        case .noImage:
            return "requires at least 1 argument (IMAGE); see 'dockrun --help'"
        case .invalidChoice(let option, let value, let choices):
            return "invalid argument \"\(value)\" for \"\(option)\" flag: expected one of \(choices.joined(separator: ", "))"
        case .invalidSeconds(let option, let value):
            return option.hasPrefix("-")
                ? "invalid argument \"\(value)\" for \"\(option)\" flag: expected a number of seconds"
                : "\(option)=\(value): expected a number of seconds"
        case .replaceNeedsName:
            return "--replace needs --name"
        case .cleanupNeedsTarget:
            return "--cleanup needs --name or --cidfile"
        case .noHealthCheck(let option, let reason):
            return "\(option) needs a health check, and \(reason) (give one with --health-cmd, or a HEALTHCHECK in the image)"
        case .replaceFailed(let name, let message):
            return "--replace: could not remove container \(name): \(message)"
        case .cleanupFailed(let target, let message):
            return "--cleanup: could not stop or remove container \(target): \(message)"
        case .dockerNotFound(let name):
            return "docker CLI not found: \(name)"
        case .dockerNotExecutable(let name):
            return "docker CLI not executable: \(name)"
        case .system(let text):
            return text
        }
    }

    /// 125 like docker's own usage and setup failures; 127/126 like a shell for a missing or
    /// unexecutable program.
    public var exitCode: Int32 {
        switch self {
        case .dockerNotFound: return 127
        case .dockerNotExecutable: return 126
        default: return 125
        }
    }
}
