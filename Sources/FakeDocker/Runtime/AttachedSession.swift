import CProcess
import DockerSyntax
import Foundation
import ProcessSpawn

/// An attached `docker run`/`docker start -a` client after the container started: the shim writes the
/// output straight to our stdout/stderr; we forward signals (--sig-proxy) and wait for the shim,
/// whose exit status is the container's exit code.
struct AttachedSession {
    let container: Container
    let shimPID: pid_t
    let store: StateStore
    let signalFD: Int32
    let proxiedSignals: Bool
    /// Made when the client attached, before the start: a restart without live-restore that begins after it
    /// answers it as usual; one with live-restore cuts it.
    let connection: EngineConnection

    /// Signals the CLI forwards with --sig-proxy: all but SIGCHLD, SIGPIPE and SIGURG (and KILL/STOP,
    /// which cannot be caught).
    static let proxied: [Int32] = (1...31).filter { ![SIGCHLD, SIGPIPE, SIGURG, SIGKILL, SIGSTOP].contains($0) }

    /// Blocks the signals the session will read, before the shim is spawned so none is lost. Without
    /// the proxy the CLI still catches TERM and INT (only to give up after three); an INT that was
    /// ignored when the client started stays ignored, since an ignored signal is never queued.
    static func blockSignals(proxy: Bool) -> Int32 {
        let set = proxy ? proxied + [SIGCHLD] : [SIGCHLD, SIGTERM, SIGINT]
        return set.withUnsafeBufferPointer { cp_signalfd($0.baseAddress, Int32($0.count)) }
    }

    func run() -> Int32 {
        // As the docker CLI does for `-it` on a terminal: the local terminal goes raw, so keys (Ctrl+C
        // included) reach the container's pseudo-terminal as bytes, which echoes them back itself.
        var saved = [UInt8](repeating: 0, count: 256)
        let raw = container.config.tty && container.config.attachStdin && isatty(0) == 1
            && cp_tty_raw(0, &saved, Int32(saved.count)) == 0
        defer { if raw { _ = cp_tty_restore(0, saved) } }
        let daemon = Daemon(store: store)
        var running = (try? store.container(id: container.id)) ?? container
        var terminationSignals = 0
        while true {
            if connection.isLost {
                // The engine went away (restart): the CLI gives up on the container, which the shim keeps
                // running; the shim stops writing to our streams once we have exited.
                Output.err(EngineConnection.attachLostMessage())
                return EngineConnection.attachLostExitCode
            }
            var p = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                     pollfd(fd: connection.watchFD, events: Int16(POLLIN), revents: 0)]
            if poll(&p, 2, -1) < 0 && errno != EINTR { break }
            while true {
                let sig = cp_signalfd_read(signalFD, nil)
                if sig == 0 { break }
                if sig == SIGCHLD {
                    var status: Int32 = 0
                    let r = waitpid(shimPID, &status, WNOHANG)
                    if r == shimPID { return exitCode(shimStatus: status) }
                    continue
                }
                if proxiedSignals {
                    if running.pid == 0, let fresh = try? store.container(id: container.id) { running = fresh }
                    daemon.deliver(sig, to: running)
                }
                if sig == SIGTERM || sig == SIGINT {
                    terminationSignals += 1
                    if terminationSignals == 3 {
                        // The docker CLI's forceExitAfter3TerminationSignals; the container runs on.
                        Output.write(2, "\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n")
                        return 1
                    }
                }
            }
        }
        return 1
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
