import CProcess
import Foundation

/// A running container's namespaces and root, opened through /proc/PID of its main process, for a process that
/// enters the container (ExecProcess): the namespaces it has of its own (those that differ from this process's),
/// the PID namespace apart, since a process's PID namespace is chosen by its parent at the fork (setns here, around
/// the spawn), while the others are joined by the child itself (the mount namespace only by a process without
/// threads).
struct ContainerNamespaces {
    /// Joined by the child: mount, UTS, IPC, network, cgroup, as far as the container has them of its own.
    let joined: [Int32]
    /// The container's root (its chroot), entered by the child after joining.
    let root: Int32
    /// The container's PID namespace, nil when it has none of its own.
    let pid: Int32?

    static let joinable = ["mnt", "uts", "ipc", "net", "cgroup"]

    /// nil when the process is gone.
    init?(pid process: pid_t) {
        func own(_ kind: String) -> Int32? {
            var theirs = stat(), ours = stat()
            guard stat("/proc/\(process)/ns/\(kind)", &theirs) == 0, stat("/proc/self/ns/\(kind)", &ours) == 0,
                  theirs.st_ino != ours.st_ino else { return nil }
            let fd = open("/proc/\(process)/ns/\(kind)", O_RDONLY | O_CLOEXEC)
            return fd >= 0 ? fd : nil
        }
        let root = open("/proc/\(process)/root", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return nil }
        self.root = root
        joined = Self.joinable.compactMap(own)
        pid = own("pid")
    }

    func close() {
        for fd in joined + [root] + (pid.map { [$0] } ?? []) { Glibc.close(fd) }
    }

    /// Runs `body` (a spawn) with this process's children born in the container's PID namespace, then returns to
    /// its own, so that nothing else this process starts is born there. nil when the namespace cannot be entered.
    func inPIDNamespace<T>(_ body: () -> T) -> T? {
        guard let pid else { return body() }
        let saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)
        guard saved >= 0, cp_setns(pid, 0) == 0 else {
            if saved >= 0 { Glibc.close(saved) }
            return nil
        }
        defer { _ = cp_restore_pid_namespace(saved) }
        return body()
    }
}
