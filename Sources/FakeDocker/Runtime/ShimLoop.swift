import CProcess
import Foundation
import ProcessSpawn

/// The shim's event loop: container output → log and attached client, the client's death and its resizes, the
/// container's exit, health checks. One poll(2), no busy waiting.
struct ShimLoop {
    let container: Container
    let started: Shim.Started
    let store: StateStore
    let signalFD: Int32
    let clientPID: Int32

    private var exitStatus: Int32?
    private var outputOpen: Bool
    private var errorOpen: Bool
    /// Forwarding to the client stops when it dies or its stream breaks; the log always continues.
    private var forwardOut = true
    private var forwardErr = true
    private var clientFD: Int32 = -1
    private var ttyInputOpen: Bool
    private var health: HealthChecker?
    private var log: ContainerLog.Writer
    /// Tells of live-restore restarts (`script --restart --live-restore`); `restartMark` the last one seen.
    private let engine: EngineConnection
    private var restartMark: Int
    /// From a live-restore restart until the engine answers again: the engine that copied the output is gone, so
    /// nothing is read — the container's writes wait in its pipes, as in the FIFOs the engine reads — and the engine
    /// that comes back reads them, and stamps them, then. A container that ends meanwhile loses them, as on Engine
    /// 20.10 (docs/engine-observations.md, "A container that ends while the engine is down").
    private var inGap = false
    /// When the out-of-memory fault kills the container's process (`script --oom-after`), on the monotonic clock.
    private var oomDeadline: Double?
    /// The fault killed it: its exit is recorded with `.State.OOMKilled` true.
    private(set) var killedOutOfMemory = false
    /// A stop or kill said to end the restart policy's restarts (SIGUSR1, `Daemon.endRestarts`).
    private(set) var restartsEnded = false

    init(container: Container, started: Shim.Started, store: StateStore, signalFD: Int32, clientPID: Int32,
         oomAfter: Double? = nil) {
        oomDeadline = oomAfter.map { monotonicNow() + $0 }
        self.container = container
        self.started = started
        self.store = store
        self.signalFD = signalFD
        self.clientPID = clientPID
        outputOpen = true
        errorOpen = started.errorFD >= 0
        ttyInputOpen = container.config.tty && container.config.openStdin
        log = ContainerLog.Writer(fd: started.logFD)
        engine = EngineConnection(store: store)
        restartMark = engine.restartMark
        if clientPID > 0 {
            clientFD = cp_pidfd_open(clientPID)
            // Killed between sending the start and now (the start went on without it): as if seen dying.
            if clientFD < 0 { releaseClient() }
        }
        if let h = container.config.healthcheck, h.test.first != "NONE", !h.test.isEmpty {
            health = HealthChecker(config: h, container: container, store: store)
        }
    }

    /// Runs until the main process has exited and its output is drained; returns docker's exit code.
    mutating func run() -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var drainDeadline: Double?
        while exitStatus == nil || outputOpen || errorOpen {
            var fds: [pollfd] = []
            func watch(_ fd: Int32) -> Int { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)); return fds.count - 1 }
            let iSignal = watch(signalFD)
            let iOut = outputOpen && !inGap ? watch(started.outputFD) : -1
            let iErr = errorOpen && !inGap ? watch(started.errorFD) : -1
            let iClient = clientFD >= 0 ? watch(clientFD) : -1
            let iInput = ttyInputOpen ? watch(0) : -1
            let iRestart = watch(engine.watchFD)
            var timeout: Int32 = -1
            if let h = health, exitStatus == nil { timeout = h.millisecondsUntilDue() }
            if let d = oomDeadline, exitStatus == nil {
                let due = max(0, Int32(((d - monotonicNow()) * 1000).rounded(.up)))
                timeout = timeout < 0 ? due : min(timeout, due)
            }
            if let d = drainDeadline { timeout = max(0, Int32((d - monotonicNow()) * 1000)) }
            // The engine's return is a state change with no descriptor to watch: looked at every 50 ms meanwhile.
            if inGap { timeout = HostProcess.pollTimeout(timeout, atMost: 50) }
            timeout = engine.pollTimeout(timeout)
            let r = poll(&fds, nfds_t(fds.count), timeout)
            if r < 0 && errno != EINTR { break }
            if let d = drainDeadline, monotonicNow() >= d { break }

            if fds[iRestart].revents != 0 || engine.watchFD < 0 { noticeRestart() }
            if inGap && !Daemon(store: store).engineIsDown { inGap = false }
            if iOut >= 0, fds[iOut].revents != 0 {
                outputOpen = pump(started.outputFD, stream: .stdout, &buffer)
            }
            if iErr >= 0, fds[iErr].revents != 0 {
                errorOpen = pump(started.errorFD, stream: .stderr, &buffer)
            }
            if iInput >= 0, fds[iInput].revents != 0 {
                let n = read(0, &buffer, buffer.count)
                if n > 0 { _ = buffer.withUnsafeBytes { Output.write(started.outputFD, UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
                else if n == 0 || errno != EINTR { ttyInputOpen = false }
            }
            if iClient >= 0, fds[iClient].revents != 0 {
                close(clientFD); clientFD = -1
                releaseClient()
            }
            if fds[iSignal].revents != 0 {
                var resized = false
                while case let signal = cp_signalfd_read(signalFD, nil), signal != 0 {
                    resized = resized || signal == SIGWINCH
                    restartsEnded = restartsEnded || signal == Shim.endRestartsSignal
                }
                if resized && container.config.tty && outputOpen { Shim.copyClientTerminalSize(to: started.outputFD) }
                reapChildren()
                if exitStatus != nil && inGap {
                    // Ended while the engine is away: what it wrote since is never read (see `inGap`).
                    outputOpen = false
                    errorOpen = false
                }
                if exitStatus != nil && drainDeadline == nil {
                    // The engine kills the whole PID namespace when its init exits; without a
                    // namespace, kill the container's process group to the same effect.
                    if !started.pidNamespace { kill(-started.pid, SIGKILL) }
                    // Bounded: a descendant that escaped the group must not hold the exit back.
                    drainDeadline = monotonicNow() + 2
                }
            }
            if exitStatus == nil { health?.tick() }
            if let d = oomDeadline, exitStatus == nil, monotonicNow() >= d {
                // As the kernel's OOM killer: SIGKILL to the container's process, whose exit is then 137.
                oomDeadline = nil
                killedOutOfMemory = true
                kill(started.pid, SIGKILL)
            }
        }
        health?.cancel()
        // Streams still open after the drain deadline end here, as at their EOF.
        log.finish(.stdout)
        log.finish(.stderr)
        return exitStatus ?? 137
    }

    /// The attached client is gone: its streams now lead nowhere docker would write to. They are let go of, so
    /// that whoever reads them sees EOF, as when the engine's client exits (the output then only reaches the log).
    private mutating func releaseClient() {
        forwardOut = false; forwardErr = false
        ttyInputOpen = false
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        for fd: Int32 in [0, 1, 2] { dup2(devNull, fd) }
        close(devNull)
    }

    /// A live-restore restart cuts the client's stream with the engine (nothing more reaches it), takes the
    /// unfinished line the engine held with it (docs/engine-observations.md, "a partial line across a live-restore
    /// restart"), and begins the gap (`inGap`).
    private mutating func noticeRestart() {
        let mark = engine.restartMark
        guard mark != restartMark else { return }
        restartMark = mark
        log.dropUnfinished()
        forwardOut = false
        forwardErr = false
        inGap = true
    }

    /// Copies what is readable from `fd` to the log and the client; false at EOF. A restart is looked for first, so
    /// that nothing read after it reaches the client (a chunk stamped after the client's stream broke would be shown
    /// twice: by the client, and by a `logs --since` from the break).
    private mutating func pump(_ fd: Int32, stream: ContainerLog.Stream, _ buffer: inout [UInt8]) -> Bool {
        noticeRestart()
        if inGap { return true }
        let n = read(fd, &buffer, buffer.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        if n <= 0 {   // EOF, or EIO: a pty whose last holder closed
            log.finish(stream)
            return false
        }
        buffer.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
            log.append(stream, chunk)
            if stream == .stdout, forwardOut { forwardOut = Output.write(1, chunk) }
            if stream == .stderr, forwardErr { forwardErr = Output.write(2, chunk) }
        }
        return true
    }

    private mutating func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            if pid == started.pid {
                // 128+N after a signal, as the engine reports it.
                exitStatus = ExitStatus(waitStatus: status).code
            } else {
                health?.finished(pid: pid, status: status)
            }
        }
    }
}
