import Glibc
import ProcessSpawn

/// Each docker CLI process dockrun runs, by what its end tells the policy.
public enum DockerProcess: Equatable, Sendable {
    /// `docker run`, whose exit dockrun reports when no container's end is known.
    case client
    /// `docker inspect` of the container's state, after an ambiguous end of the client.
    case inspect
    case wait, stop
    case kill(signal: Int32?)
    case commit, remove
    /// `docker logs --follow` after a re-attach, whose output is dockrun's, as the client's is.
    case follow
    /// `docker start --attach` of a container its client created and never started: a client again.
    case start
}

extension DockerProcess {
    /// The client's process group. Off a terminal, one of its own, so that a supervisor's `kill -TERM -PGID` reaches
    /// dockrun alone. On a terminal, dockrun's (the foreground group) when it reads the terminal (`-i`) or puts it in
    /// raw mode (`-t`); else one of its own too, so that the terminal's keys (Ctrl-\, Ctrl-Z) reach dockrun, which
    /// passes them on, and not the client, which QUIT would end (Go dumps its goroutines and exits 2).
    public static func clientProcessGroup(onTerminal: Bool, readsTerminal: Bool) -> SpawnOptions.ProcessGroup {
        onTerminal && readsTerminal ? .inherited : .own
    }

    /// The client dies with dockrun (PR_SET_PDEATHSIG): a client that outlived a SIGKILLed dockrun would create or
    /// start a container after its guardian had looked — above all one the guardian never heard of, when dockrun
    /// was killed between the client's start and its PID reaching the guardian. What it had asked for before it
    /// died, the guardian finds by the run's label.
    public static let clientDeathSignal = SIGKILL
}

extension RunPolicy.Event {
    /// What the end of a docker process means: `docker wait` answers on stdout; the others by their
    /// status, and their first line of stderr is docker's message.
    public static func ended(_ process: DockerProcess, status: ExitStatus, stdout: [UInt8], stderr: [UInt8]) -> Self {
        if status != .exited(0), EngineMessage.saysEngineUnreachable(String(decoding: stderr, as: UTF8.self)) {
            return .engineUnreachable(process)
        }
        if case .wait = process, status == .exited(0), let line = firstLine(stdout), let code = Int32(line) {
            return .waitReturned(.code(code))
        }
        if case .inspect = process, status == .exited(0),
           let state = ContainerState(inspectOutput: String(decoding: stdout, as: UTF8.self)) {
            return .inspected(.state(state))
        }
        return ended(process, status: status, problem: firstLine(stderr) ?? "docker exited with status \(status.code)")
    }

    /// A docker process that could not be started is told as its failure (status 127, as a shell
    /// reports it), so the policy takes its usual fallback: stop → kill, a failed wait → the client's code...
    public static func notStarted(_ process: DockerProcess, reason: String) -> Self {
        ended(process, status: .exited(127), problem: reason)
    }

    private static func ended(_ process: DockerProcess, status: ExitStatus, problem: String) -> Self {
        let ok = status == .exited(0)
        switch process {
        case .client: return .clientExited(status)
        case .follow, .start: return .followerExited
        case .wait: return .waitReturned(.failed(problem))
        case .inspect: return .inspected(.failed(problem))
        case .stop: return .stopFinished(ok: ok)
        case .kill(let signal): return .killFinished(signal: signal, ok: ok)
        case .commit: return .commitFinished(ok: ok, message: problem)
        case .remove: return .removeFinished(ok: ok, message: problem)
        }
    }

    private static func firstLine(_ bytes: [UInt8]) -> String? {
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }
}
