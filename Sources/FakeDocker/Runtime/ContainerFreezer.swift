import CProcess
import Foundation

/// `docker pause`/`unpause`: every process of a container frozen, then thawed. As runc does it, with the cgroup
/// freezer where this process can use it (root, a cgroup v1 `freezer` hierarchy): the processes are moved into a
/// freezer cgroup of the container's own (under the one its main process is in), frozen there, and on the thaw moved
/// back and the cgroup removed, so that nothing is left behind. Elsewhere (no root, no v1 freezer) each process is
/// sent SIGSTOP, then SIGCONT: also frozen, but a process that catches CONT (or a parent that waits with WUNTRACED)
/// can tell; docs/fake-docker.md says so.
/// The container's processes: with a PID namespace, every process in it (an exec's too); without, its main process
/// and its descendants.
struct ContainerFreezer {
    let container: Container

    static let hierarchy = "/sys/fs/cgroup/freezer"

    /// The freezer cgroup for the container (a directory under `hierarchy`), nil when the freezer cannot be used.
    var cgroup: String? {
        guard geteuid() == 0, access(Self.hierarchy + "/freezer.state", F_OK) == 0 || access(Self.hierarchy + "/tasks", F_OK) == 0,
              let lines = HostProcess.readFile("/proc/\(container.pid)/cgroup") else { return nil }
        // `4:freezer:/some/path`; a process already in ours is in `…/fake-docker-ID`.
        guard let line = lines.split(separator: "\n").first(where: { $0.split(separator: ":", maxSplits: 2).dropFirst().first == "freezer" }),
              let path = line.split(separator: ":", maxSplits: 2).last else { return nil }
        let leaf = "fake-docker-" + container.id.prefix(12)
        let current = String(path).hasSuffix("/" + leaf) ? String(path.dropLast(leaf.count + 1)) : String(path)
        return Self.hierarchy + (current == "/" ? "" : current) + "/" + leaf
    }

    /// The PIDs of the container's processes, read from /proc.
    func processes() -> [pid_t] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        if container.pidNamespace {
            var mine = stat()
            guard stat("/proc/\(container.pid)/ns/pid", &mine) == 0 else { return [] }
            return all.filter { p in
                var st = stat()
                return stat("/proc/\(p)/ns/pid", &st) == 0 && st.st_ino == mine.st_ino && st.st_dev == mine.st_dev
            }
        }
        var parents: [pid_t: pid_t] = [:]
        for p in all {
            // /proc/P/stat: `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last ')'.
            guard let text = HostProcess.readFile("/proc/\(p)/stat"), let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = pid_t(fields[1]) { parents[p] = ppid }
        }
        var found: Set<pid_t> = [container.pid]
        var grew = true
        while grew {
            grew = false
            for (p, ppid) in parents where !found.contains(p) && found.contains(ppid) { found.insert(p); grew = true }
        }
        return Array(found).sorted()
    }

    func freeze() {
        guard let cgroup else {
            for p in processes() { kill(p, SIGSTOP) }
            return
        }
        mkdir(cgroup, 0o755)
        // A process may fork while the others are moved: moved again until every one is in (its children are born in).
        for _ in 0..<100 {
            let outside = Set(processes()).subtracting(members(cgroup))
            if outside.isEmpty { break }
            for p in outside { write(String(p), to: cgroup + "/cgroup.procs") }
        }
        write("FROZEN", to: cgroup + "/freezer.state")
        // The kernel says FREEZING until every task has stopped; runc waits the same way.
        for _ in 0..<1000 where HostProcess.readFile(cgroup + "/freezer.state")?.hasPrefix("FROZEN") != true {
            usleep(1000)
        }
    }

    func thaw() {
        guard let cgroup, access(cgroup, F_OK) == 0 else {
            if self.cgroup == nil { for p in processes() { kill(p, SIGCONT) } }
            return
        }
        write("THAWED", to: cgroup + "/freezer.state")
        let parent = (cgroup as NSString).deletingLastPathComponent
        // Moved back where they were, then the cgroup removed; a process that is dying (a KILL that ends a pause)
        // leaves it a moment later.
        for _ in 0..<1000 {
            for p in members(cgroup) { write(String(p), to: parent + "/cgroup.procs") }
            if rmdir(cgroup) == 0 || errno == ENOENT { return }
            usleep(2000)
        }
    }

    private func members(_ cgroup: String) -> Set<pid_t> {
        Set((HostProcess.readFile(cgroup + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) })
    }

    private func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = Output.write(fd, text)
        close(fd)
    }
}
