import CProcess
import Foundation
import ProcessSpawn

/// Starts a container by spawning its shim, as `docker start` asks the daemon to, and waits for the
/// shim's report: running, or docker's start failure. The shim is the start's request process
/// (RequestProcess): a client killed once it is spawned does not stop the start.
enum Launcher {
    struct Attachment {
        var stdin: Bool
        var stdout: Bool
        var stderr: Bool
    }

    /// Returns the shim's PID (a child of the caller). `attachment` nil: detached, the shim's stdio is
    /// /dev/null; else the caller's own descriptors are handed to it (no copying through the client).
    /// `delay`: a scripted delay (`fake-docker script start --delay`) the shim spends before the start.
    static func start(_ c: Container, store: StateStore, attachment: Attachment?, command: String,
                      delay: Double = 0) throws(DockerError) -> pid_t {
        var argv = [selfExecutable(), "__shim", c.id, "--state", store.path]
        if attachment != nil { argv += ["--client-pid", String(getpid())] }
        if delay > 0 { argv += ["--delay", String(delay)] }
        let sent = try RequestProcess.send(argv, stdin: attachment?.stdin == true ? 0 : nil,
                                           stdout: attachment?.stdout == true ? 1 : nil,
                                           stderr: attachment?.stderr == true ? 2 : nil, what: "the container shim")
        let answer = sent.answer
        if answer == "ok" { return sent.pid }
        let status = ExitStatus(reaping: sent.pid)
        if answer.hasPrefix("fail "), let newline = answer.firstIndex(of: "\n") {
            let message = String(answer[answer.index(after: newline)...])
            // `docker start` prints the daemon's refusal as it is, exit 1 (observed: a command not found, an unknown
            // --user); `docker run` wraps it with its exit code.
            if message == "Error response from daemon: No such container: \(c.id)" || command == "start" {
                throw DockerError(message)
            }
            throw DockerError.run(message, command: command)
        }
        throw DockerError.daemon("the container shim exited before reporting (\(status))")
    }

    static func selfExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
