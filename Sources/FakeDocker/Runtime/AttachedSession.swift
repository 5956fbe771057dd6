import CProcess
import DockerSyntax
import Foundation
import ProcessSpawn

/// An attached `docker run`/`docker start -a` client after the container started: the shim writes the
/// output straight to our stdout/stderr; we act on signals as the docker CLI does (ClientSignals: forwarded with
/// --sig-proxy, passing on a terminal's resizes, dying of QUIT) and wait for the shim, whose exit status is the
/// container's exit code.
struct AttachedSession {
    let container: Container
    var shimPID: pid_t
    let store: StateStore
    let signalFD: Int32
    let proxiedSignals: Bool
    /// Made when the client attached, before the start: a restart without live-restore that begins after it
    /// answers it as usual; one with live-restore cuts it.
    let connection: EngineConnection
    /// `docker attach`'s stdin, passed on to the container's FIFO (ContainerStdin); nil for `run`/`start -a`, whose
    /// shim reads the client's stdin itself.
    var input: ForwardedInput? = nil
    /// `docker attach`'s resize of a `-t` container on the client's WINCH; nil: the shim is asked (it copies the size
    /// of the terminal on its stdout, the client's own).
    var resize: (() -> Void)? = nil

    struct ForwardedInput {
        /// The container's stdin FIFO.
        var fd: Int32
        /// With a terminal: the engine's detach keys.
        var detachKeys: DetachKeys?
        /// At the end of the client's stdin the engine closes the attach's output and the client waits for the
        /// container's exit: the follower is replaced by one that shows nothing and answers that exit (its PID).
        var silence: (pid_t) -> pid_t
    }

    /// What the CLI prints on stderr when the client detaches, before it exits with 1 (observed).
    static let detachMessage = "read escape sequence\n"

    /// Takes over, before the shim is spawned so that none is lost, the signals the client reads (ClientSignals):
    /// blocked and read from a signalfd. What the table leaves to the kernel is left as the client inherited it, or
    /// set to its default and unblocked when the client must die of it. The table is asked as if the client resized
    /// a terminal: a WINCH it then reads and need not act on is dropped, as Go drops it.
    static func blockSignals(proxy: Bool) -> Int32 {
        var taken = [SIGCHLD], ignored: [Int32] = [], fatal: [Int32] = []
        for signal in ClientSignals.all where signal != SIGCHLD {
            let found = inherited(signal)
            switch ClientSignals.action(for: signal, proxy: proxy, resizes: true, inherited: found) {
            case .inherited: continue
            case .fatal: fatal.append(signal)
            default:
                taken.append(signal)
                if found.ignored { ignored.append(signal) }
            }
        }
        let fd = taken.withUnsafeBufferPointer { cp_signalfd($0.baseAddress, Int32($0.count)) }
        // As Go's signal.Notify: an inherited SIG_IGN is undone (an ignored signal is never queued, not even for a
        // signalfd), now that the signal is blocked.
        for signal in ignored { Glibc.signal(signal, SIG_DFL) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for signal in fatal {
            Glibc.signal(signal, SIG_DFL)
            sigaddset(&unblocked, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        return fd
    }

    /// How the client found `signal`: its disposition and its mask as inherited.
    private static func inherited(_ signal: Int32) -> ClientSignals.Inherited {
        var disposition = sigaction()
        sigaction(signal, nil, &disposition)
        let handler = disposition.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        return ClientSignals.Inherited(ignored: handler == unsafeBitCast(SIG_IGN, to: Int.self),
                                       blocked: sigismember(&mask, signal) == 1)
    }

    func run() -> Int32 {
        var session = self
        let (code, detached) = session.attached()
        // Printed once the terminal is back as it was.
        if detached { Output.write(2, Self.detachMessage) }
        return code
    }

    private mutating func attached() -> (code: Int32, detached: Bool) {
        // As the docker CLI does for `-it` on a terminal: the local terminal goes raw, so keys (Ctrl+C
        // included) reach the container's pseudo-terminal as bytes, which echoes them back itself.
        var saved = [UInt8](repeating: 0, count: 256)
        let raw = container.config.tty && container.config.attachStdin && isatty(0) == 1
            && cp_tty_raw(0, &saved, Int32(saved.count)) == 0
        defer { if raw { _ = cp_tty_restore(0, saved) } }
        let daemon = Daemon(store: store)
        var running = (try? store.container(id: container.id)) ?? container
        func forward(_ signal: Int32) {
            if running.pid == 0, let fresh = try? store.container(id: container.id) { running = fresh }
            daemon.deliver(signal, to: running)
        }
        // The CLI follows the size of the terminal on its stdout for a container with one.
        let resizes = container.config.tty && isatty(1) == 1
        var terminationSignals = 0
        while true {
            if connection.isLost {
                // The engine went away (restart): the CLI gives up on the container, which the shim keeps
                // running; the shim stops writing to our streams once we have exited.
                Output.err(EngineConnection.attachLostMessage())
                return (EngineConnection.attachLostExitCode, false)
            }
            var p = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                     pollfd(fd: connection.watchFD, events: Int16(POLLIN), revents: 0)]
            if input != nil { p.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            if poll(&p, nfds_t(p.count), connection.pollTimeout(-1)) < 0 && errno != EINTR { break }
            if p.count > 2, p[2].revents != 0, passInput() { return (1, true) }
            while true {
                let sig = cp_signalfd_read(signalFD, nil)
                if sig == 0 { break }
                if sig == SIGCHLD {
                    var status: Int32 = 0
                    let r = waitpid(shimPID, &status, WNOHANG)
                    if r == shimPID { return (exitCode(shimStatus: status), false) }
                    continue
                }
                // A signal read was taken over whatever the client inherited: its action is the one for a default.
                switch ClientSignals.action(for: sig, proxy: proxiedSignals, resizes: resizes) {
                case .forward:
                    forward(sig)
                case .count(let forwarded):
                    if forwarded { forward(sig) }
                    terminationSignals += 1
                    if terminationSignals == 3 {
                        // The docker CLI's forceExitAfter3TerminationSignals; the container runs on.
                        Output.write(2, "\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n")
                        return (1, false)
                    }
                case .resize(let forwarded):
                    if forwarded { forward(sig) }
                    // The resize request: the shim copies the size of the terminal on our stdout (its own) onto the
                    // container's.
                    if let resize { resize() } else { kill(shimPID, SIGWINCH) }
                case .crash(let name):
                    Output.write(2, ClientSignals.crashReport(name))
                    return (ClientSignals.crashExitCode, false)
                case .ignore, .inherited, .fatal:
                    break
                }
            }
        }
        return (1, false)
    }

    /// Reads what the client's stdin has and writes it to the container's; true when the detach keys were typed.
    private mutating func passInput() -> Bool {
        guard var forwarded = input else { return false }
        var buffer = [UInt8](repeating: 0, count: 1 << 14)
        let n = read(0, &buffer, buffer.count)
        // Nothing to read after all (a stdin another process made non-blocking) is not its end.
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return false }
        if n <= 0 {
            close(forwarded.fd)
            input = nil
            let silent = forwarded.silence(shimPID)
            if silent > 0 { shimPID = silent }
            return false
        }
        var bytes = Array(buffer[0..<n])
        var detached = false
        if var keys = forwarded.detachKeys {
            (bytes, detached) = keys.feed(bytes)
            forwarded.detachKeys = keys
        }
        if !bytes.isEmpty { _ = Output.write(forwarded.fd, bytes) }
        input = forwarded
        return detached
    }

    /// The container's exit code. A shim that died took the container with it: the state, reconciled, says
    /// how it ended; a state that cannot record that is reported as the shim reports an exit it cannot
    /// record (docker's message, 125), so that the client does not take a guess for the container's code.
    private func exitCode(shimStatus status: Int32) -> Int32 {
        if case .exited(let code) = ExitStatus(waitStatus: status) { return code }
        do throws(DockerError) {
            return try Daemon(store: store).find(container.id).exitCode
        } catch {
            Output.err(error.message)
            return 125
        }
    }
}
