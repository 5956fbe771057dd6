import CProcess

/// How a process ended.
package enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The status as a shell reports it (128+N after a signal), which is how the contract states codes.
    package var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    package var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }

    /// The harness's one reading of a wait status. Without WUNTRACED a reaped child has either exited
    /// or been killed by a signal.
    package init(waitStatus status: Int32) {
        self = cp_wifexited(status) != 0 ? .exited(cp_wexitstatus(status)) : .signaled(cp_wtermsig(status))
    }
}
