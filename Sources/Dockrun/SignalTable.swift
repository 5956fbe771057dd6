import Glibc

/// What dockrun does with each signal it receives, in one table: as `docker run`'s signal proxy passes them on
/// (docs/dockrun.md, "Signals"). TERM and INT are dockrun's own: a stop. Every other signal the proxy forwards is
/// sent to the container with `docker kill --signal`. What the proxy drops, dockrun drops.
public enum SignalTable {
    public enum Action: Equatable, Sendable {
        /// `docker stop` (the container's own stop signal and timeout); a second one kills it.
        case stop
        /// Sent to the container as it is.
        case relay
        /// Not passed on: CHLD (dockrun's children, as docker's), PIPE (a closed output is dockrun's own matter;
        /// docker's proxy drops it too), URG (docker drops it: Go's preemption signal), PROF (docker drops it: Go
        /// keeps it for its profiler). KILL and STOP cannot be caught by any process, dockrun included.
        case drop
    }

    public static let stopSignals: Set<Int32> = [SIGTERM, SIGINT]
    /// Dropped by docker's proxy, and by dockrun (which leaves them at their default or ignores them: never fatal).
    public static let droppedSignals: Set<Int32> = [SIGCHLD, SIGPIPE, SIGURG, SIGPROF]
    /// glibc's own real-time signals (SIGCANCEL, SIGSETXID): no process can block or be sent them through glibc.
    public static let reservedSignals: ClosedRange<Int32> = 32...33
    /// Every signal number of Linux.
    public static let allSignals: ClosedRange<Int32> = 1...64

    /// The action for `signal`. WINCH is relayed with `-t` too, as docker's proxy does (CLI 28: with `-t` the client
    /// also resizes the container's terminal, so the container may get it twice, as under `docker run`).
    public static func action(for signal: Int32) -> Action {
        if stopSignals.contains(signal) { return .stop }
        if droppedSignals.contains(signal) || signal == SIGKILL || signal == SIGSTOP || reservedSignals.contains(signal)
            || !allSignals.contains(signal) {
            return .drop
        }
        return .relay
    }

    /// Every signal dockrun takes over from its first instruction: blocked, and read from a signalfd, so none is
    /// ever delivered to a handler — not the Swift runtime's crash reporter for a `kill -SEGV`, not a default action
    /// that would end dockrun (ALRM, the real-time signals) or stop it (TSTP, TTIN, TTOU). A real fault in dockrun
    /// still ends it: the kernel delivers a synchronous fault whatever the mask. And PROF, which docker drops and
    /// whose default would end dockrun. Not the other dropped ones, which stay at their defaults (CHLD, URG: ignored)
    /// or ignored (PIPE).
    public static var supervisedSignals: [Int32] {
        allSignals.filter { action(for: $0) != .drop || $0 == SIGPROF }
    }

    /// The signals the docker client is started with blocked: those that would stop it (TSTP, TTIN, TTOU: on a
    /// terminal the kernel sends them to the foreground group it shares with dockrun). Go keeps an inherited block
    /// of these; QUIT, ABRT and the other signals Go dies of it unblocks (a client that must not get them from the
    /// terminal is kept out of its foreground group instead: `DockerProcess.clientProcessGroup`).
    public static let clientBlockedSignals: [Int32] = [SIGTSTP, SIGTTIN, SIGTTOU]
}
