import CProcess
import Glibc

/// A failed system call, by its errno.
public struct SystemCallError: Error, Equatable, Sendable {
    public let errno: Int32
    /// For a failed spawn, the step that failed.
    public let step: SpawnStep

    public init(errno: Int32, step: SpawnStep = .exec) {
        self.errno = errno
        self.step = step
    }

    /// strerror's text, e.g. "No such file or directory".
    public var text: String { String(cString: strerror(errno)) }
}

/// The step of a spawn that failed (cp_spawn_at's CP_STEP_ values).
public enum SpawnStep: Equatable, Sendable {
    /// The exec, or any step not named here.
    case exec
    /// The child's own mount namespace (SpawnOptions.bindMounts).
    case mountNamespace
    /// Bind mount `i` of SpawnOptions.bindMounts.
    case bind(Int)
    /// setgroups, setgid or setuid (SpawnOptions.user).
    case user
    /// Step `i` of SpawnOptions.filesystemSteps.
    case filesystem(Int)
    /// The pty of SpawnOptions.console.
    case console
    /// The network namespace of SpawnOptions.newNetworkNamespace, or its loopback, or joining SpawnOptions.networkNamespace.
    case network
    /// The capability bounding set (SpawnOptions.capabilities).
    case capabilities
    /// Limit `i` of SpawnOptions.resourceLimits.
    case resourceLimit(Int)

    init(_ raw: Int32) {
        switch raw {
        case Int32(CP_STEP_MOUNT_NAMESPACE): self = .mountNamespace
        case Int32(CP_STEP_USER): self = .user
        case Int32(CP_STEP_CONSOLE): self = .console
        case Int32(CP_STEP_NETWORK): self = .network
        case Int32(CP_STEP_CAPABILITIES): self = .capabilities
        case Int32(CP_STEP_FILESYSTEM)...: self = .filesystem(Int(raw) - Int(CP_STEP_FILESYSTEM))
        case Int32(CP_STEP_RLIMIT)...: self = .resourceLimit(Int(raw) - Int(CP_STEP_RLIMIT))
        case Int32(CP_STEP_BIND)...: self = .bind(Int(raw) - Int(CP_STEP_BIND))
        default: self = .exec
        }
    }
}
