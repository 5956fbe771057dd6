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

extension ContainerNamespaces {
    /// `--network container:REF` at a start, as the engine's: the network namespace of REF's process (a descriptor the
    /// caller closes; nil without root, where every container has the host's network), with `c` given REF's host and
    /// domain names (kept: `.Config.Hostname`) and its /etc/hostname, /etc/hosts and /etc/resolv.conf (copied into
    /// c's filesystem, where the engine binds REF's own); or the engine's refusal, REF gone or not running.
    static func joinNetwork(of c: inout Container, reference: String, store: StateStore) -> Result<Int32?, Shim.StartFailure> {
        let target = try? store.findContainer(reference)
        if let refusal = NetworkContainer.startRefusal(reference: reference, target: target.map { ($0.id, $0.isRunning) }) {
            return .failure(.init(detail: refusal, fromDaemon: true))
        }
        guard let target else { return .success(nil) }
        c.config.hostname = target.config.hostname
        c.config.domainname = target.config.domainname
        do {
            for path in NetworkContainer.sharedFiles {
                let text = HostProcess.readFile(store.rootfs(ofContainer: target.id) + path) ?? ""
                try FileTree.write(text, to: store.rootfs(ofContainer: c.id) + path)
            }
            try store.updateConfig(c)
        } catch {
            return .failure(.init(detail: "join the network of \(target.id): \(error)", fromDaemon: true))
        }
        guard geteuid() == 0 else { return .success(nil) }
        let fd = open("/proc/\(target.pid)/ns/net", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return .failure(.init(detail: "cannot join network of a non running container: \(target.id)", fromDaemon: true))
        }
        return .success(fd)
    }
}
