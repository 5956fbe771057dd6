import CProcess
import Foundation
import ProcessSpawn

/// Starts a container by spawning its shim, as `docker start` asks the daemon to, and waits for the
/// shim's report: running, or docker's start failure.
enum Launcher {
    struct Attachment {
        var stdin: Bool
        var stdout: Bool
        var stderr: Bool
    }

    /// Returns the shim's PID (a child of the caller). `attachment` nil: detached, the shim's stdio is
    /// /dev/null; else the caller's own descriptors are handed to it (no copying through the client).
    static func start(_ c: Container, store: StateStore, attachment: Attachment?, command: String) throws(DockerError) -> pid_t {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var report: [Int32] = [0, 0]
        guard cp_pipe_cloexec(&report) == 0 else { throw DockerError.daemon("pipe: \(String(cString: strerror(errno)))") }
        let executable = selfExecutable()
        var argv = [executable, "__shim", c.id, "--state", store.path]
        if attachment != nil { argv += ["--client-pid", String(getpid())] }
        var options = SpawnOptions()
        options.stdin = attachment?.stdin == true ? 0 : devNull
        options.stdout = attachment?.stdout == true ? 1 : devNull
        options.stderr = attachment?.stderr == true ? 2 : devNull
        options.newSession = true
        options.passedDescriptor = report[1]
        let pid: pid_t
        do {
            pid = try spawnProcess(executable, argv: argv, options)
        } catch {
            close(report[0])
            close(report[1])
            throw DockerError.daemon("cannot start the container shim: \(error.text)")
        }
        close(report[1])
        defer { close(report[0]) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(report[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            text.append(contentsOf: buffer[0..<n])
        }
        let answer = String(decoding: text, as: UTF8.self)
        if answer == "ok" { return pid }
        let status = ExitStatus(reaping: pid)
        if answer.hasPrefix("fail "), let newline = answer.firstIndex(of: "\n") {
            let message = String(answer[answer.index(after: newline)...])
            if message.hasPrefix("Error response from daemon: No such container") { throw DockerError(message) }
            throw DockerError.run(message, command: command)
        }
        throw DockerError.daemon("the container shim exited before reporting (\(status))")
    }

    static func selfExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
