import Glibc

/// How dockrun ends: as its container ended. The engine reports a container whose main process was killed by signal
/// N with exit code 128+N; a native process killed by N is seen by its parent as killed by N, not as an exit. So when
/// the container's code is 128+N and N is a signal whose default action ends a process, dockrun ends itself by N
/// (core dumps off): a shell still reads 128+N, and a monitor reads what it reads of the native process — systemd a
/// unit `inactive` after `systemctl stop` of a container that died of the stop's SIGTERM, with no
/// `SuccessExitStatus=143` (docs/dockrun.md, "How dockrun ends").
public enum Ending: Equatable, Sendable {
    case exit(Int32)
    case signal(Int32)

    /// The ending for the container's exit code.
    public static func of(containerCode code: Int32) -> Ending {
        let signal = code - 128
        return endsProcess(signal) ? .signal(signal) : .exit(code)
    }

    /// Signals whose default action ends the process (with or without a core): all but those ignored by default
    /// (CHLD, CONT, URG, WINCH), those that stop it (STOP, TSTP, TTIN, TTOU) and glibc's reserved two (32, 33).
    public static func endsProcess(_ signal: Int32) -> Bool {
        guard SignalTable.allSignals.contains(signal), !SignalTable.reservedSignals.contains(signal) else { return false }
        return ![SIGCHLD, SIGCONT, SIGURG, SIGWINCH, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU].contains(signal)
    }

    /// The code a shell reads either way.
    public var shellCode: Int32 {
        switch self {
        case .exit(let code): code
        case .signal(let signal): 128 + signal
        }
    }
}
