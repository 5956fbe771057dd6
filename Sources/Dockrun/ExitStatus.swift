/// How a child process ended, as waitpid reports it.
public enum ExitStatus: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    /// The code a shell reports for it: a signal death is 128 + N, as sh (and docker) do.
    public var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// The codes with which the docker CLI reports its own failures rather than the container's:
    /// 125 (docker itself), 126 (command cannot be invoked), 127 (command not found).
    public static let dockerFailureCodes: ClosedRange<Int32> = 125...127
}
