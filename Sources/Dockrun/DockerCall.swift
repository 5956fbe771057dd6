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

    /// Runs it with stdin on /dev/null and reads its stdout and stderr at once (neither can fill and stall it),
    /// up to `limit` bytes each. A docker CLI that cannot be started answers as a shell would: 127.
    func run(_ command: DockerCommand, limit: Int = 64 * 1024) -> DockerAnswer {
        trace(command)
        do throws(System.Failure) {
            let (child, stdout, stderr) = try System.spawnHelper(docker, command.arguments, readStdout: true)
            defer { close(child.pidfd) }
            var streams: [(fd: Int32, bytes: [UInt8])] = [(stdout!, []), (stderr, [])]
            while streams.contains(where: { $0.fd >= 0 }) {
                let open = streams.filter { $0.fd >= 0 }.map(\.fd)
                let ready = System.poll(open, timeoutMilliseconds: -1)
                for (fd, isReady) in zip(open, ready) where isReady {
                    let index = streams.firstIndex { $0.fd == fd }!
                    if !System.readAvailable(fd, into: &streams[index].bytes, limit: limit) {
                        close(fd)
                        streams[index].fd = -1
                    }
                }
            }
            let status = System.reap(child)
            return DockerAnswer(status: status, output: String(decoding: streams[0].bytes, as: UTF8.self),
                                error: String(decoding: streams[1].bytes, as: UTF8.self))
        } catch {
            return DockerAnswer(status: .exited(127), error: "cannot start \(docker): \(error.text)")
        }
    }
}
