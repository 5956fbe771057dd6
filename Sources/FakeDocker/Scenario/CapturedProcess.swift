import CProcess
import Foundation
import ProcessSpawn
import Synchronization

/// A process a scenario runs — dockrun, or the engine CLI setting the world up — with stdin fed from
/// bytes and stdout and stderr read apart, as they arrive (the events look at them while it runs).
/// It ends once the process has exited and both pipes are at EOF: anything dockrun left holding them
/// (its guardian holds stderr) has ended too.
final class CapturedProcess: Sendable {
    private struct State {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var status: ExitStatus?
        var openStreams = 2
    }

    let pid: pid_t
    private let state = Mutex(State())

    /// Starts `argv` (a path or a name on PATH); with `ownGroup` it leads a process group of its own,
    /// as a supervisor starts a service, so that a `group:` event reaches it and what it spawns alone.
    init(_ argv: [String], environment: [String: String], stdin: [UInt8], ownGroup: Bool = false,
         workingDirectory: String? = nil) throws(SystemCallError) {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0], input: [Int32] = [0, 0]
        guard cp_pipe_cloexec(&out) == 0, cp_pipe_cloexec(&err) == 0, cp_pipe_cloexec(&input) == 0 else {
            throw SystemCallError(errno: errno)
        }
        var options = SpawnOptions()
        options.environment = environment.map { "\($0.key)=\($0.value)" }
        options.stdin = input[0]
        options.stdout = out[1]
        options.stderr = err[1]
        options.workingDirectory = workingDirectory
        if ownGroup { options.processGroup = .own }
        let spawned: pid_t
        do {
            spawned = try spawnProcess(argv[0], argv: argv, options)
        } catch {
            for fd in out + err + input { close(fd) }
            throw error
        }
        pid = spawned
        close(out[1]); close(err[1]); close(input[0])
        let (stdoutFD, stderrFD, stdinFD) = (out[0], err[0], input[1])
        Self.detach { [self] in self.drain(stdoutFD, into: \.stdout) }
        Self.detach { [self] in self.drain(stderrFD, into: \.stderr) }
        // Fed from a thread of its own: a process that does not read its stdin must not block the caller.
        Self.detach {
            signal(SIGPIPE, SIG_IGN)
            _ = stdin.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(stdinFD, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(stdinFD)
        }
        Self.detach { [self] in
            let status = ExitStatus(reaping: spawned)
            self.state.withLock { $0.status = status }
        }
    }

    private static func detach(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func drain(_ fd: Int32, into stream: WritableKeyPath<State, [UInt8]>) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            state.withLock { $0[keyPath: stream].append(contentsOf: buffer[0..<n]) }
        }
        close(fd)
        state.withLock { $0.openStreams -= 1 }
    }

    var stdout: [UInt8] { state.withLock { $0.stdout } }
    var stderr: [UInt8] { state.withLock { $0.stderr } }
    /// How it ended; nil while it runs.
    var status: ExitStatus? { state.withLock { $0.status } }
    var hasEnded: Bool { state.withLock { $0.status != nil && $0.openStreams == 0 } }

    /// Waits until it has ended, polling every 5 ms; past `timeout` seconds it stops waiting for the
    /// pipes (a leaked container's process may hold them for ever) and returns what it has.
    func finish(timeout: Double) -> (status: ExitStatus, stdout: [UInt8], stderr: [UInt8]) {
        let deadline = monotonicNow() + timeout
        while !hasEnded && (status == nil || monotonicNow() < deadline) { usleep(5_000) }
        return state.withLock { ($0.status!, $0.stdout, $0.stderr) }
    }

    /// Runs to its end: for setting the world up and looking at it afterwards.
    static func run(_ argv: [String], environment: [String: String], stdin: [UInt8] = []) throws(SystemCallError)
        -> (status: ExitStatus, stdout: [UInt8], stderr: [UInt8]) {
        try CapturedProcess(argv, environment: environment, stdin: stdin).finish(timeout: 120)
    }
}
