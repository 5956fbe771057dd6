import CProcess

/// How to start a process, as a value: what differs from `cp_spawn_options_default()` (every
/// descriptor inherited, the parent's environment and process group, nothing ignored).
public struct SpawnOptions {
    /// The scalar options, starting from the C defaults so that those are stated in one place.
    var scalars = cp_spawn_options_default()

    /// nil: the parent's environment.
    public var environment: [String]?
    /// chroot() here before anything else (the working directory is then inside it).
    public var root: String?
    public var workingDirectory: String?
    /// Either set: the child gets a UTS namespace of its own (root only) with these names, as a
    /// container does; nil: that name as the parent has it.
    public var hostName: String?
    public var domainName: String?
    public var ignoredSignals: [Int32] = []
    /// Blocked in the child's signal mask when it execs (a blocked signal stays pending, never delivered, unless
    /// the program unblocks it).
    public var blockedSignals: [Int32] = []
    /// Non-nil: the child gets a mount namespace of its own (root only) in which nothing it mounts reaches the
    /// parent's, with these binds made in order before the chroot, as a container's are.
    public var bindMounts: [BindMount]?
    /// With `bindMounts`: made in order in the child's mount namespace, before the binds (those `afterBinds` after
    /// them): a container's own `/proc`, `/dev` and `/sys`.
    public var filesystemSteps: [FilesystemStep] = []
    /// A network namespace of the child's own (root only) with only its loopback, up.
    public var newNetworkNamespace: Bool {
        get { scalars.new_network_namespace != 0 }
        set { scalars.new_network_namespace = newValue ? 1 : 0 }
    }
    /// The network namespace the child joins instead of one of its own (a /proc/PID/ns/net descriptor, root only),
    /// where `newNetworkNamespace` would make one: another container's network (`--network container:NAME`).
    public var networkNamespace: Int32? {
        get { scalars.network_namespace_fd > 0 ? scalars.network_namespace_fd : nil }
        set { scalars.network_namespace_fd = newValue ?? 0 }
    }
    /// An IPC namespace of the child's own (root only).
    public var newIPCNamespace: Bool {
        get { scalars.new_ipc_namespace != 0 }
        set { scalars.new_ipc_namespace = newValue ? 1 : 0 }
    }
    /// Non-nil, with `bindMounts` and `root`: the child's terminal is a pty of `root`'s own `/dev/pts` (its stdin,
    /// stdout, stderr, controlling terminal with `newSession`, and `/dev/console`) of this size, and its master is
    /// sent over this unix socket (receive it with `receiveDescriptor`), as runc's console socket.
    public var console: Console? {
        get { scalars.console_socket < 0 ? nil : Console(socket: scalars.console_socket, rows: scalars.console_rows,
                                                         columns: scalars.console_cols) }
        set {
            scalars.console_socket = newValue?.socket ?? -1
            scalars.console_rows = newValue?.rows ?? 0
            scalars.console_cols = newValue?.columns ?? 0
        }
    }
    /// Non-nil: the child takes these ids (after the chroot), as a container started with `--user` does.
    public var user: UserIDs?
    /// Namespaces the child joins (descriptors of /proc/PID/ns/*, e.g. a container's mount and UTS namespaces), as
    /// a process `docker exec` starts does; the mount namespace needs a child with no thread (cp_spawn's child).
    public var joinedNamespaces: [Int32] = []
    /// After joining: the child's root becomes this directory (a /proc/PID/root descriptor: the container's root).
    public var rootDirectory: Int32? {
        get { scalars.root_fd > 0 ? scalars.root_fd : nil }
        set { scalars.root_fd = newValue ?? -1 }
    }

    /// Set in the child in order (setrlimit) before it takes its user, as runc sets a container's `--ulimit`s.
    public var resourceLimits: [ResourceLimit] = []
    /// Non-nil (root only): the child's capability bounding set is cut to these (bit N: capability N) before it
    /// takes its user, so that root's sets are these after the exec; each must be in the parent's bounding set.
    public var capabilities: UInt64? {
        get { scalars.set_capabilities != 0 ? scalars.capabilities : nil }
        set {
            scalars.set_capabilities = newValue == nil ? 0 : 1
            scalars.capabilities = newValue ?? 0
        }
    }

    public init() {}

    public struct ResourceLimit: Equatable, Sendable {
        /// RLIMIT_* (e.g. 7, RLIMIT_NOFILE).
        public var resource: Int32
        /// UInt64.max: unlimited (RLIM_INFINITY).
        public var soft: UInt64
        public var hard: UInt64

        public init(resource: Int32, soft: UInt64, hard: UInt64) {
            self.resource = resource; self.soft = soft; self.hard = hard
        }
    }

    public struct BindMount: Equatable, Sendable {
        /// The host path bound.
        public var source: String
        /// The host path of the mount point (inside `root` when it is set); made when missing (its parents
        /// directories, itself a directory for a directory source, else an empty file).
        public var target: String
        public var readOnly: Bool

        public init(source: String, target: String, readOnly: Bool) {
            self.source = source; self.target = target; self.readOnly = readOnly
        }
    }

    public struct Console: Equatable, Sendable {
        public var socket: Int32
        public var rows: UInt16
        public var columns: UInt16

        public init(socket: Int32, rows: UInt16, columns: UInt16) {
            self.socket = socket; self.rows = rows; self.columns = columns
        }
    }

    /// One step of a container's own filesystems (cp_fs_step); every path is the host's.
    public struct FilesystemStep: Equatable, Sendable {
        public enum Kind: Int32, Sendable {
            /// mount(source, target, type, flags, data), the target made a directory when missing.
            case mount
            /// A character device `major`:`minor` with `mode`; where mknod is refused, `source` (the host's) bound.
            case node
            /// A symbolic link at `target` to `source`.
            case symlink
            /// `target` bound onto itself, read-only.
            case readOnly
            /// A directory: a read-only tmpfs over it; else `source` (a null device) bound over it.
            case mask
        }
        public var kind: Kind
        public var source: String
        public var target: String
        public var type: String = ""
        public var flags: UInt = 0
        public var data: String = ""
        public var mode: UInt32 = 0
        public var major: UInt32 = 0
        public var minor: UInt32 = 0
        /// A target that does not exist skips the step (a path the kernel lacks).
        public var optional = false
        /// Made after the binds (as runc's masked and read-only paths are), else before them.
        public var afterBinds = false

        public init(_ kind: Kind, source: String, target: String, type: String = "", flags: UInt = 0, data: String = "",
                    mode: UInt32 = 0, major: UInt32 = 0, minor: UInt32 = 0, optional: Bool = false, afterBinds: Bool = false) {
            self.kind = kind; self.source = source; self.target = target; self.type = type; self.flags = flags
            self.data = data; self.mode = mode; self.major = major; self.minor = minor; self.optional = optional
            self.afterBinds = afterBinds
        }
    }

    public struct UserIDs: Equatable, Sendable {
        public var uid: uid_t
        public var gid: gid_t
        /// The supplementary groups (setgroups), exactly these.
        public var groups: [gid_t]

        public init(uid: uid_t, gid: gid_t, groups: [gid_t]) {
            self.uid = uid; self.gid = gid; self.groups = groups
        }
    }

    /// nil: inherited as is.
    public var stdin: Int32? {
        get { Self.descriptor(scalars.stdin_fd) }
        set { scalars.stdin_fd = newValue ?? -1 }
    }
    public var stdout: Int32? {
        get { Self.descriptor(scalars.stdout_fd) }
        set { scalars.stdout_fd = newValue ?? -1 }
    }
    public var stderr: Int32? {
        get { Self.descriptor(scalars.stderr_fd) }
        set { scalars.stderr_fd = newValue ?? -1 }
    }

    /// setsid(): a session and process group of its own.
    public var newSession: Bool {
        get { scalars.new_session != 0 }
        set { scalars.new_session = newValue ? 1 : 0 }
    }

    public enum ProcessGroup: Equatable, Sendable {
        case inherited
        /// A group of its own, led by the child.
        case own
        case join(pid_t)
    }

    public var processGroup: ProcessGroup {
        get {
            switch scalars.process_group {
            case ..<0: return .inherited
            case 0: return .own
            case let leader: return .join(leader)
            }
        }
        set {
            switch newValue {
            case .inherited: scalars.process_group = -1
            case .own: scalars.process_group = 0
            case .join(let leader): scalars.process_group = leader
            }
        }
    }

    /// With `newSession`: stdin becomes the session's controlling terminal.
    public var controllingTerminal: Bool {
        get { scalars.controlling_tty != 0 }
        set { scalars.controlling_tty = newValue ? 1 : 0 }
    }

    /// PR_SET_PDEATHSIG: the signal the child gets when its parent dies.
    public var deathSignal: Int32? {
        get { scalars.death_signal == 0 ? nil : scalars.death_signal }
        set { scalars.death_signal = newValue ?? 0 }
    }

    /// Placed at descriptor 3 in the child.
    public var passedDescriptor: Int32? {
        get { scalars.pass_fd > 0 ? scalars.pass_fd : nil }
        set { scalars.pass_fd = newValue ?? -1 }
    }

    private static func descriptor(_ fd: Int32) -> Int32? { fd < 0 ? nil : fd }
}
