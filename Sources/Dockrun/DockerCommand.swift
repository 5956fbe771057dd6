import DockerSyntax
import ProcessSpawn

/// One invocation of the docker CLI: the arguments after the program name. A value, so tests can
/// check exactly what dockrun would run without running it.
public struct DockerCommand: Equatable, Sendable, CustomStringConvertible {
    public let arguments: [String]

    public init(_ arguments: [String]) { self.arguments = arguments }

    /// `docker run --cidfile CIDFILE [user's options] [labels] --sig-proxy=false IMAGE [COMMAND...]`.
    /// `--sig-proxy=false` comes after the user's options because pflag lets the last one win:
    /// dockrun alone decides what a signal does. `--rm` is never passed: a commit must come before the
    /// removal, and an engine with live-restore kills and removes every `--rm` container when it
    /// comes back (Engine 20.10, docs/engine-observations.md), so dockrun removes the container itself.
    /// dockrun's labels come after the user's options, so that a user's `--label io.dockrun.run=…` cannot hide
    /// the container from the guardian (the last value of a label wins). `ownOptions` are dockrun's own for the
    /// container (`NotifyRelay.dockerOptions`), after the user's.
    public static func run(_ request: RunRequest, cidfile: String, labels: RunLabels? = nil,
                           ownOptions: [String] = []) -> DockerCommand {
        var arguments = ["run", "--cidfile", cidfile]
        arguments += request.dockerOptions
        arguments += ownOptions
        arguments += labels?.options ?? []
        arguments.append("--sig-proxy=false")
        if let image = request.image {
            // The user's `--` is not among the options; without one here docker would read an
            // IMAGE that starts with a dash as options and the command's first word as IMAGE.
            if image.hasPrefix("-") { arguments.append("--") }
            arguments.append(image)
        }
        arguments += request.command
        return DockerCommand(arguments)
    }

    public static func wait(_ id: ContainerID) -> DockerCommand { DockerCommand(["wait", id.value]) }

    /// No `-t`: the container's own `--stop-timeout` and `--stop-signal` apply.
    public static func stop(_ id: ContainerID) -> DockerCommand { stop(target: id.value) }
    /// A container by name or ID (the guardian, `--cleanup`, `--replace`).
    public static func stop(target: String) -> DockerCommand { DockerCommand(["stop", target]) }

    /// Without a signal: docker's default, SIGKILL.
    public static func kill(_ id: ContainerID, signal: Int32?) -> DockerCommand { kill(target: id.value, signal: signal) }
    public static func kill(target: String, signal: Int32?) -> DockerCommand {
        guard let signal else { return DockerCommand(["kill", target]) }
        return DockerCommand(["kill", "--signal", SignalName.name(of: signal), target])
    }

    public static func commit(_ id: ContainerID, _ target: CommitTarget) -> DockerCommand {
        DockerCommand(["commit", id.value, target.text])
    }

    public static func remove(_ id: ContainerID) -> DockerCommand { remove(target: id.value) }
    public static func remove(target: String) -> DockerCommand { DockerCommand(["rm", "-f", target]) }

    /// Every container, running or not, whose labels match `filter`: its full ID and its state, one a line.
    public static func list(filter: String) -> DockerCommand {
        DockerCommand(["ps", "-a", "--no-trunc", "--filter", filter, "--format", "{{.ID}} {{.State}}"])
    }

    /// The container's output again, from `since` (the engine's log timestamps, RFC 3339 with nanoseconds), until
    /// it ends. The engine's log includes the entry stamped exactly `since`.
    public static func follow(_ id: ContainerID, since: String) -> DockerCommand {
        DockerCommand(["logs", "--follow", "--since", since, id.value])
    }

    /// A container created and never started, started and attached as `docker run` would have: its output (and,
    /// with `interactive`, dockrun's stdin), until it ends.
    public static func startAttached(_ id: ContainerID, interactive: Bool) -> DockerCommand {
        DockerCommand(["start", "--attach"] + (interactive ? ["--interactive"] : []) + [id.value])
    }

    /// The container's state (`ContainerState`): after an ambiguous end of the client, and for systemd.
    public static func inspectState(_ id: ContainerID) -> DockerCommand {
        DockerCommand(["inspect", "--format", ContainerState.inspectFormat, id.value])
    }

    /// The command as a shell would read it, for DOCKRUN_DEBUG.
    public var description: String { shellQuoted(arguments) }

    /// The DOCKRUN_DEBUG line for this command run by `docker`.
    public func trace(docker: String) -> String { "exec: \(shellQuoted(docker)) \(self)" }
}
