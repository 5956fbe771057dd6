import Glibc
import ProcessSpawn

/// One docker command run to its end, for the code that runs outside the event loop and may block: the guardian,
/// `--cleanup` and `--replace`.
struct DockerCall {
    let docker: String
    /// DOCKRUN_DEBUG: each command on stderr before it runs, as the event loop traces its own.
    let debug: Bool

    private func trace(_ command: DockerCommand) {
        if debug { System.write(2, "dockrun: \(command.trace(docker: docker))\n") }
    }

    /// Runs it with stdin on /dev/null, in a process group of its own (a signal to dockrun's group does not reach
    /// it), and reads its stdout and stderr at once (neither can fill and stall it), up to `limit` bytes each.
    /// A docker CLI that cannot be started answers as a shell would: 127.
    func run(_ command: DockerCommand, limit: Int = 64 * 1024) -> DockerAnswer {
        trace(command)
        var options = SpawnOptions()
        options.processGroup = .own
        do {
            let ran = try captureOutput([docker] + command.arguments, options, limits: CaptureLimits(bytes: limit))
            return DockerAnswer(status: ran.status, output: String(decoding: ran.stdout, as: UTF8.self),
                                error: String(decoding: ran.stderr, as: UTF8.self))
        } catch {
            return DockerAnswer(status: .exited(127), error: "cannot start \(docker): \(error.text)")
        }
    }
}
