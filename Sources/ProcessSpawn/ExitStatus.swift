import CProcess
import Glibc

/// How a child process ended, as waitpid reports it.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a raw waitpid status of a process that has ended.
    public init(waitStatus status: Int32) {
        self = cp_wifsignaled(status) != 0 ? .signaled(cp_wtermsig(status)) : .exited(cp_wexitstatus(status))
    }

    /// Blocks until the child `pid` has ended, reaps it, and says how it ended.
    public init(reaping pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        self.init(waitStatus: status)
    }

    /// The code a shell reports for it: a signal death is 128 + N, as sh (and docker) do.
    public var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}
